"""The session policy: 30 minutes without a request or 12 hours after sign-in ends a session.

Times are kept in the session itself, so the policy holds for every sign-in path (the sign-in
page, single sign-on, a test's `force_login`). Pages warn before the idle limit (static/js
`timeout-warning.js`, GOV.UK's timeout warning pattern) and can keep the session alive.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from iomshare.partnership.notices import add_notice

SIGNED_IN_AT = "iomshare_signed_in_at"
LAST_SEEN_AT = "iomshare_last_seen_at"
# Writing the session on every request would cost a database write per page; a minute's
# resolution shortens the idle limit by at most that minute.
LAST_SEEN_RESOLUTION = 60


# The stored session outlives the idle limit a little, so the policy (not a vanished session) ends
# it, and the person is told why; after that grace the session is simply gone.
EXPIRY_GRACE_SECONDS = 10 * 60


def idle_seconds() -> int:
    return settings.IOMSHARE_SESSION_IDLE_SECONDS


def keep_alive(request: HttpRequest) -> None:
    """Count this request as activity."""
    request.session[LAST_SEEN_AT] = _now()
    request.session.set_expiry(idle_seconds() + EXPIRY_GRACE_SECONDS)


def _now() -> float:
    return timezone.now().timestamp()


def start(request: HttpRequest) -> None:
    """Mark the session's start: called when someone signs in (any way)."""
    now = _now()
    request.session[SIGNED_IN_AT] = now
    keep_alive(request)


def ended_because(request: HttpRequest) -> str | None:
    """Why the signed-in session must end now, or None while it may go on."""
    session, now = request.session, _now()
    signed_in_at = session.get(SIGNED_IN_AT)
    if signed_in_at is None:
        return None
    if now - signed_in_at >= settings.IOMSHARE_SESSION_ABSOLUTE_SECONDS:
        hours = settings.IOMSHARE_SESSION_ABSOLUTE_SECONDS // 3600
        return f"You were signed out because you signed in more than {hours} hours ago. Sign in again to carry on."
    if now - session.get(LAST_SEEN_AT, signed_in_at) >= idle_seconds():
        minutes = idle_seconds() // 60
        return f"You were signed out after {minutes} minutes without activity, to protect the information. Sign in again to carry on."
    return None


def seconds_left(request: HttpRequest) -> int:
    """Seconds until the idle or the absolute limit ends this session, whichever comes first."""
    session, now = request.session, _now()
    signed_in_at = session.get(SIGNED_IN_AT, now)
    idle_left = idle_seconds() - (now - session.get(LAST_SEEN_AT, signed_in_at))
    absolute_left = settings.IOMSHARE_SESSION_ABSOLUTE_SECONDS - (now - signed_in_at)
    return max(0, int(min(idle_left, absolute_left)))


class SessionPolicyMiddleware:
    """End sessions past their idle or absolute limit; note activity on the others."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith("/api/"):
            response = self._enforce(request)
            if response is not None:
                return response
        return self.get_response(request)

    def _enforce(self, request: HttpRequest) -> HttpResponse | None:
        session = request.session
        if session.get(SIGNED_IN_AT) is None:
            start(request)  # a session from before this policy, or a test's force_login
            return None
        reason = ended_because(request)
        if reason is not None:
            logout(request)
            if request.headers.get("Accept", "").startswith("application/json"):
                return JsonResponse({"signed_in": False, "detail": reason}, status=401)
            add_notice(request, reason)
            query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
            return redirect(reverse(settings.LOGIN_URL) + (f"?{query}" if query else ""))
        if request.path != reverse("partnership:session-status") and (
            _now() - session.get(LAST_SEEN_AT, 0) >= LAST_SEEN_RESOLUTION
        ):
            keep_alive(request)
        return None
