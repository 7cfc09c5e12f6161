"""Reads about one's own account: recent sign-ins and second factors."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.db.models import Q

from iomshare.ledger.models import Action, LedgerEntry
from iomshare.partnership.models import StaffMember

SIGN_IN_ACTIONS = (Action.SIGN_IN, Action.SIGN_IN_FAILED, Action.ACCOUNT_LOCKED, Action.SIGN_OUT)


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
