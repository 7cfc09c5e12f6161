"""Second factors: who must have one, counting wrong codes, and an administrator's reset.

TOTP, recovery codes and WebAuthn keys are django-allauth's `mfa`; this module holds iomshare's
rules around them: every account enrols one at first sign-in (unless switched off for the demo or
tests), a wrong code counts towards lockout, and a reset needs a reason that goes on the ledger.
"""

from __future__ import annotations

import datetime as dt

from allauth.core import context
from allauth.mfa.base.forms import AuthenticateForm as AllauthAuthenticateForm
from allauth.mfa.models import Authenticator
from django import forms
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from iomshare.errors import InvalidInput, NotPermitted
from iomshare.ledger import services as ledger
from iomshare.ledger.models import Action
from iomshare.partnership import lockout
from iomshare.partnership.models import Role, SignInChannel, StaffMember

# Set in the session when the agency's identity provider vouched for a second factor (its `amr`).
SATISFIED_BY_PROVIDER = "iomshare_second_factor_by_provider"
# Paths a signed-in person without a second factor may still reach: enrolment itself, signing out,
# the session's keep-alive, and the assets the pages need.
ENROLMENT_PATHS = (
    "/accounts/2fa/",
    "/accounts/reauthenticate/",
    "/accounts/logout/",
    "/account/second-factor/",
    "/sign-out/",
    "/account/session/",
    "/assets/",
    "/static/",
    "/api/",
)


def has_second_factor(staff: StaffMember) -> bool:
    """Whether `staff` has a TOTP app or a WebAuthn key set up (recovery codes alone are not one)."""
    return Authenticator.objects.filter(
        user=staff, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
    ).exists()


def had_second_factor_before(staff: StaffMember, timestamp: float) -> bool:
    """Whether `staff` had a TOTP app or WebAuthn key set up before `timestamp` (seconds since 1970)."""
    return Authenticator.objects.filter(
        user=staff,
        type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN],
        created_at__lt=dt.datetime.fromtimestamp(timestamp, tz=dt.UTC),
    ).exists()


def must_enrol(request: HttpRequest) -> bool:
    """Whether the signed-in person must set up a second factor before going anywhere else."""
    user = request.user
    if not settings.IOMSHARE_REQUIRE_SECOND_FACTOR or not user.is_authenticated:
        return False
    if request.session.get(SATISFIED_BY_PROVIDER):
        return False
    return not has_second_factor(user)


class SecondFactorRequiredMiddleware:
    """Send a signed-in person with no second factor to set one up (first sign-in enrolment)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(ENROLMENT_PATHS) and must_enrol(request):
            return redirect("partnership:set-up-second-factor")
        return self.get_response(request)


class AuthenticateForm(AllauthAuthenticateForm):
    """allauth's code form, refused while the account is locked; wrong codes count towards the lock."""

    def clean_code(self) -> str:
        request = context.request
        if reason := lockout.refusal(self.user.get_username(), lockout.address_of(request)):
            raise forms.ValidationError(reason)
        try:
            return super().clean_code()
        except forms.ValidationError:
            # This wrong code may be the one that locked the account: say so rather than "incorrect".
            if reason := lockout.refusal(self.user.get_username(), lockout.address_of(request)):
                raise forms.ValidationError(reason) from None
            raise


@transaction.atomic
def reset_second_factor(staff: StaffMember, *, reason: str, by: StaffMember) -> int:
    """Remove every second factor of `staff` (they enrol afresh at next sign-in); returns how many.

    For someone who lost their phone or key. Only a superuser or their agency's administrator may,
    never for themself, and the reason goes on the ledger.
    """
    if not (by.is_superuser or (by.role == Role.ADMIN and by.agency_id and by.agency_id == staff.agency_id)):
        raise NotPermitted("Only an administrator of their agency can reset someone's second factor.")
    if by.pk == staff.pk:
        raise NotPermitted("You cannot reset your own second factor: ask another administrator.")
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise InvalidInput(
            "The second factor was not reset: say why.",
            field_errors={
                "reason": "Enter the reason for the reset, like 'lost phone, identity checked in person'"
            },
        )
    removed, _ = Authenticator.objects.filter(user=staff).delete()
    from iomshare.partnership import sessions

    sessions.end_all_sessions_of(staff)
    ledger.record(
        Action.SECOND_FACTOR_RESET,
        by=by,
        details={"staff_member": staff.get_username(), "reason": reason, "factors_removed": removed},
    )
    return removed


def note_wrong_code(request: HttpRequest | None, user: StaffMember) -> None:
    """A wrong second-factor code: on the ledger, and counted towards the account's lock."""
    from iomshare.ledger.models import Outcome

    ledger.record(
        Action.SIGN_IN_FAILED,
        username=user.get_username(),
        outcome=Outcome.FAILED,
        details={"channel": SignInChannel.SECOND_FACTOR.value, "reason": "wrong code"},
    )
    lockout.note_failure(user.get_username(), lockout.address_of(request), SignInChannel.SECOND_FACTOR)
