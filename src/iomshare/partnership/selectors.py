"""Reads about agencies and accounts: another agency named on a form, one's own recent sign-ins and
second factors, and who to contact at each agency."""

from __future__ import annotations

from dataclasses import dataclass

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.db.models import Q

from iomshare.ledger.models import Action, LedgerEntry
from iomshare.partnership.models import Agency, Role, StaffMember

SIGN_IN_ACTIONS = (Action.SIGN_IN, Action.SIGN_IN_FAILED, Action.ACCOUNT_LOCKED, Action.SIGN_OUT)


def other_agency(
    code: str, by: StaffMember, *, choose: str, own: str, hint: str
) -> tuple[Agency | None, str]:
    """The partner agency a form names by code, other than `by`'s own, or None and the field's error:
    `choose` when none is named, `own` when it is `by`'s agency, `hint` after an unknown code."""
    agency = Agency.objects.filter(code=code).first() if code else None
    if agency is None:
        return None, f"'{code}' is not an agency of this partnership: {hint}" if code else choose
    if agency.pk == by.agency_id:
        return None, own
    return agency, ""


def recent_sign_ins(staff: StaffMember, *, limit: int = 10) -> list[LedgerEntry]:
    """The latest sign-ins, failed attempts and locks of `staff`'s account, from the ledger, newest first."""
    return list(
        LedgerEntry.objects.filter(
            Q(actor_id=staff.pk) | Q(actor_id__isnull=True, actor_username__iexact=staff.get_username()),
            action__in=SIGN_IN_ACTIONS,
        ).order_by("-at", "-id")[:limit]
    )


def second_factors_of(staff: StaffMember) -> list[Authenticator]:
    return list(Authenticator.objects.filter(user=staff).order_by("created_at"))


@dataclass(frozen=True)
class AgencyContacts:
    """Who to ask at one agency: its information-governance leads and administrators."""

    agency: Agency
    ig_leads: list[StaffMember]
    administrators: list[StaffMember]


def agency_contacts() -> list[AgencyContacts]:
    """Every agency with the active staff to ask about information governance and accounts, so no
    page need say only "ask an administrator"."""
    staff = StaffMember.objects.filter(
        is_active=True, role__in=[Role.IG_LEAD, Role.ADMIN], agency__isnull=False
    )
    by_agency: dict[int, list[StaffMember]] = {}
    for member in staff.order_by("last_name", "first_name", "pk"):
        if member.agency_id is not None:  # filtered above; said again for the type checker
            by_agency.setdefault(member.agency_id, []).append(member)
    return [
        AgencyContacts(
            agency,
            [m for m in by_agency.get(agency.pk, []) if m.role == Role.IG_LEAD],
            [m for m in by_agency.get(agency.pk, []) if m.role == Role.ADMIN],
        )
        for agency in Agency.objects.order_by("name")
    ]


def first_in_role(agency_id: int | None, role: str) -> StaffMember | None:
    """The agency's active staff member in `role` to name first (by name), or None."""
    if agency_id is None:
        return None
    return (
        StaffMember.objects.filter(agency_id=agency_id, role=role, is_active=True)
        .order_by("last_name", "first_name", "pk")
        .first()
    )


def who_to_ask(agency_id: int | None, role: str) -> str:
    """Someone named to ask, for a message a service writes: the agency's first active staff member in
    `role` with their e-mail, or the partnership's support desk where it has none (or no agency)."""
    member = first_in_role(agency_id, role)
    if member is not None:
        name = member.get_full_name() or member.username
        return f"{name} ({member.email})" if member.email else name
    desk = settings.IOMSHARE_SUPPORT_CONTACT
    return f"{desk['name']} ({desk['email']})"
