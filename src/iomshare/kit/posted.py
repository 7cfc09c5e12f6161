"""What a page's form is bound to, and its problems in the order the page shows its fields."""

from __future__ import annotations

from collections.abc import Iterable

from django.http import HttpRequest, QueryDict


def posted(request: HttpRequest) -> QueryDict | None:
    """What was sent on a POST, for a form to parse; None on any other method, so the form is unbound
    (`request.POST or None` would take an empty POST for a first visit)."""
    return request.POST if request.method == "POST" else None


def in_order(errors: dict[str, str], names: Iterable[str]) -> dict[str, str]:
    """`errors` with the fields `names` first, in that order (the page's), then the rest as found."""
    names = list(names)
    return {name: errors[name] for name in names if name in errors} | {
        name: message for name, message in errors.items() if name not in names
    }
