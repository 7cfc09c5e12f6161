from django import template
from django.conf import settings

from iomshare.partnership.notices import take_notices

register = template.Library()


@register.inclusion_tag("partnership/notices.html", takes_context=True)
def account_notices(context) -> dict:
    """GOV.UK notification banners for the notices waiting in the session (shown once)."""
    request = context.get("request")
    return {"notices": take_notices(request) if request is not None else []}


@register.simple_tag
def session_idle_seconds() -> int:
    return settings.IOMSHARE_SESSION_IDLE_SECONDS


@register.simple_tag
def session_warning_seconds() -> int:
    return settings.IOMSHARE_SESSION_WARNING_SECONDS
