"""Notices about one's account (signed out for inactivity, failed attempts since last time).

Kept in the session and shown once by the base template, apart from Django's messages, which some
pages show themselves: a notice is never shown twice nor lost to a page that does not show messages.
"""

from __future__ import annotations

from django.http import HttpRequest

SESSION_KEY = "iomshare_account_notices"


def add_notice(request: HttpRequest, text: str, *, kind: str = "important") -> None:
    """Show `text` at the top of the next page `request`'s browser gets."""
    notices = list(request.session.get(SESSION_KEY, []))
    notices.append({"text": text, "kind": kind})
    request.session[SESSION_KEY] = notices


def take_notices(request: HttpRequest) -> list[dict[str, str]]:
    """The notices waiting for this browser, removed so each is shown once."""
    session = getattr(request, "session", None)
    if session is None or SESSION_KEY not in session:
        return []
    return session.pop(SESSION_KEY)
