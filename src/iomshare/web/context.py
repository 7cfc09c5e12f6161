from dataclasses import dataclass

from django.conf import settings
from django.utils.functional import SimpleLazyObject


def service(request):
    """Service name for the GOV.UK header on every page."""
    return {"service_name": settings.IOMSHARE_SERVICE_NAME}


@dataclass(frozen=True)
class Contact:
    """Who to ask at the viewer's agency: named, so no page says only "ask an administrator"."""

    name: str
    email: str
    role: str
    is_you: bool


def _contact(user, role: str, label: str) -> Contact:
    from iomshare.partnership.selectors import first_in_role

    if not getattr(user, "is_authenticated", False) or user.agency_id is None:
        return Contact(name="", email="", role=label, is_you=False)
    member = first_in_role(user.agency_id, role)
    if member is None:
        return Contact(name="", email="", role=label, is_you=False)
    return Contact(
        name=member.get_full_name() or member.username,
        email=member.email,
        role=label,
        is_you=member.pk == user.pk,
    )


def contacts(request):
    """`ig_contact` and `admin_contact`: the viewer's agency's information-governance lead and
    administrator, read only on the pages that name them; `support_contact`: the partnership's
    support desk, for anyone (the sign-in page) and for an agency with no one to name."""
    from iomshare.partnership.models import Role

    user = getattr(request, "user", None)
    return {
        "ig_contact": SimpleLazyObject(lambda: _contact(user, Role.IG_LEAD, "information-governance lead")),
        "admin_contact": SimpleLazyObject(lambda: _contact(user, Role.ADMIN, "administrator")),
        "support_contact": settings.IOMSHARE_SUPPORT_CONTACT,
    }
