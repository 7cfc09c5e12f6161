"""An information-governance lead's acceptance of their agency provider's second factor."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from iomshare.errors import InvalidInput, NotPermitted
from iomshare.ledger import services as ledger
from iomshare.ledger.models import Action
from iomshare.partnership.models import AgencySignOn, Role, StaffMember


def _check_ig_lead(sign_on: AgencySignOn, by: StaffMember) -> None:
    if by.role != Role.IG_LEAD or by.agency_id != sign_on.agency_id:
        raise NotPermitted(
            f"Only an information-governance lead of {sign_on.agency.name} can decide whether its "
            "provider's second factor stands in for iomshare's."
        )


@transaction.atomic
def accept_provider_second_factor(sign_on: AgencySignOn, *, by: StaffMember) -> AgencySignOn:
    """Let the provider's `amr`/`acr` values, as they are now, count as the second factor; on the ledger."""
    _check_ig_lead(sign_on, by)
    if not (sign_on.second_factor_amr.strip() or sign_on.second_factor_acr.strip()):
        raise InvalidInput(
            "Nothing was accepted: the provider's second-factor values are not set.",
            field_errors={
                "second_factor_amr": "Enter the amr values that mean a second factor, like 'mfa otp hwk'"
            },
        )
    sign_on.second_factor_accepted_by = by
    sign_on.second_factor_accepted_at = timezone.now()
    sign_on.second_factor_accepted_for = sign_on.second_factor_values
    sign_on.save()
    ledger.record(
        Action.ADMIN_CHANGE,
        by=by,
        details={
            "change": "accepted the identity provider's second factor",
            "agency": sign_on.agency.code,
            "provider": sign_on.provider.provider_id,
            "values": sign_on.second_factor_values,
        },
    )
    return sign_on


@transaction.atomic
def withdraw_provider_second_factor(sign_on: AgencySignOn, *, by: StaffMember) -> AgencySignOn:
    """From the next sign-in, staff of the agency pass iomshare's own second factor again; on the ledger."""
    _check_ig_lead(sign_on, by)
    sign_on.second_factor_accepted_by = None
    sign_on.second_factor_accepted_at = None
    sign_on.second_factor_accepted_for = ""
    sign_on.save()
    ledger.record(
        Action.ADMIN_CHANGE,
        by=by,
        details={
            "change": "withdrew acceptance of the identity provider's second factor",
            "agency": sign_on.agency.code,
            "provider": sign_on.provider.provider_id,
        },
    )
    return sign_on
