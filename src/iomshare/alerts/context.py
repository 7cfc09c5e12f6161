from django.http import HttpRequest

from iomshare.alerts.selectors import unread_count


def unread(request: HttpRequest) -> dict:
    """The signed-in staff member's unread alerts, for the count in the header of every page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_alerts": unread_count(user)}
