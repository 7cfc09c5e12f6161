"""Placing a person who signed in through their agency's provider: match, provision or refuse."""

from __future__ import annotations

import re
from typing import NoReturn

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.mfa.stages import AuthenticateStage
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from django.http import HttpRequest
from django.shortcuts import render

from iomshare.ledger import services as ledger
from iomshare.ledger.context import origin_from_request
from iomshare.ledger.models import Action, Outcome
from iomshare.partnership.models import AgencySignOn, Role, StaffMember
from iomshare.partnership.selectors import who_to_ask
from iomshare.partnership.single_sign_on import claims as claim

SIGN_ON_CHANNEL = "single sign-on"


def refuse(
    request: HttpRequest, sociallogin: SocialLogin | None, reason: str, *, username: str = ""
) -> NoReturn:
    """Stop the sign-in with `reason` shown to the person and put on the ledger; nothing is created."""
    provider_id = sociallogin.provider.app.provider_id if sociallogin and sociallogin.provider.app else ""
    ledger.record(
        Action.SIGN_IN_FAILED,
        username=username,
        outcome=Outcome.FAILED,
        origin=origin_from_request(request),
        details={"channel": SIGN_ON_CHANNEL, "provider": provider_id, "reason": reason},
    )
    response = render(request, "partnership/sign_on_refused.html", {"reason": reason}, status=403)
    raise ImmediateHttpResponse(response)


def _username_for(sign_on: AgencySignOn, claims: dict) -> str:
    given = str(claims.get("preferred_username") or claims.get("sub") or "")
    base = re.sub(r"[^\w.@+-]", "-", f"{sign_on.agency.code}.{given}")[:140]
    username, n = base, 1
    while StaffMember.objects.filter(username__iexact=username).exists():
        n += 1
        username = f"{base}-{n}"
    return username


class SingleSignOnAdapter(DefaultSocialAccountAdapter):
    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        """Refuse what cannot be placed; link a verified e-mail to the agency's existing account."""
        sign_on = claim.sign_on_of(sociallogin)
        claims = claim.claims_of(sociallogin)
        who = str(claims.get("preferred_username") or claims.get("email") or claims.get("sub") or "")
        if sign_on is None:
            refuse(
                request,
                sociallogin,
                "This identity provider is not set up for any agency in iomshare.",
                username=who,
            )
        role = claim.role_from(sign_on, claims)
        if role is None:
            values = ", ".join(claim.role_values(sign_on, claims)) or "none"
            refuse(
                request,
                sociallogin,
                f"{sign_on.agency.name}'s sign-in gave no role that iomshare knows (the '{sign_on.role_claim}' "
                f"claim held: {values}). Ask your agency's administrator to map your role.",
                username=who,
            )
        staff = (
            sociallogin.user
            if sociallogin.is_existing
            else self._existing_staff(request, sociallogin, sign_on, claims)
        )
        if staff is None:
            if not sign_on.provisions_new_staff:
                refuse(
                    request,
                    sociallogin,
                    f"There is no iomshare account for you at {sign_on.agency.name}. Ask your agency's administrator.",
                    username=who,
                )
            return
        if staff.agency_id != sign_on.agency_id:
            refuse(
                request,
                sociallogin,
                f"Your iomshare account belongs to another agency, not {sign_on.agency.name}: sign in the usual way.",
                username=staff.get_username(),
            )
        if staff.role != role:
            # The agency's directory is the source of roles: a mover's role follows it at sign-in.
            ledger.record(
                Action.ADMIN_CHANGE,
                by=staff,
                details={"change": "role from identity provider", "from": staff.role, "to": role.value},
            )
            staff.role, staff.is_volunteer = role, role is Role.VOLUNTEER
            staff.save(update_fields=["role", "is_volunteer"])
        if not sociallogin.is_existing:
            sociallogin.connect(request, staff)

    def _existing_staff(
        self, request: HttpRequest, sociallogin: SocialLogin, sign_on: AgencySignOn, claims: dict
    ) -> StaffMember | None:
        """The account whose address the provider has verified, if exactly one has it."""
        email = str(claims.get("email") or "").strip()
        if not email or claims.get("email_verified") is not True:
            return None
        matches = list(StaffMember.objects.filter(email__iexact=email)[:2])
        if len(matches) > 1:
            refuse(
                request,
                sociallogin,
                "More than one iomshare account has your e-mail address; ask "
                f"{who_to_ask(None, Role.ADMIN)} to tell them apart.",
                username=email,
            )
        return matches[0] if matches else None

    def list_providers(self, request: HttpRequest) -> list:
        """Only providers set up for an agency are offered on the sign-in page."""
        linked = set(AgencySignOn.objects.values_list("provider_id", flat=True))
        return [p for p in super().list_providers(request) if getattr(p.app, "pk", None) in linked]

    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        sign_on = claim.sign_on_of(sociallogin)
        return bool(sign_on and sign_on.provisions_new_staff)

    def populate_user(self, request: HttpRequest, sociallogin: SocialLogin, data: dict) -> StaffMember:
        """A new account in the provider's agency, in the mapped role, with no password of its own."""
        staff = super().populate_user(request, sociallogin, data)
        sign_on = claim.sign_on_of(sociallogin)
        claims = claim.claims_of(sociallogin)
        role = claim.role_from(sign_on, claims) if sign_on else None
        if sign_on is None or role is None:
            return staff  # allauth calls this before pre_social_login, which refuses the sign-in
        staff.agency, staff.role, staff.is_volunteer = sign_on.agency, role, role is Role.VOLUNTEER
        staff.username = _username_for(sign_on, claims)
        if claims.get("email_verified") is not True:
            staff.email = ""
        staff.set_unusable_password()
        return staff

    def on_authentication_error(self, request, provider, error=None, exception=None, extra_context=None):
        """A token that fails allauth's checks (signature, audience, expiry, issuer): a clear refusal."""
        ledger.record(
            Action.SIGN_IN_FAILED,
            outcome=Outcome.FAILED,
            origin=origin_from_request(request),
            details={
                "channel": SIGN_ON_CHANNEL,
                "provider": getattr(getattr(provider, "app", None), "provider_id", ""),
                "reason": f"{error or 'error'}: {exception or ''}"[:300],
            },
        )
        reason = (
            "Your agency's sign-in could not be checked, so you are not signed in. Try again; if it "
            "happens again, tell your agency's IT service desk."
        )
        raise ImmediateHttpResponse(
            render(request, "partnership/sign_on_refused.html", {"reason": reason}, status=403)
        )


class SecondFactorStage(AuthenticateStage):
    """allauth's second-factor step, skipped when the agency's provider vouched and its IG lead accepts that."""

    def handle(self) -> tuple:
        from iomshare.partnership.second_factor import SATISFIED_BY_PROVIDER

        sociallogin = (self.login.signal_kwargs or {}).get("sociallogin")
        if sociallogin is not None:
            sign_on = claim.sign_on_of(sociallogin)
            if sign_on and claim.vouches_for_second_factor(sign_on, claim.claims_of(sociallogin)):
                self.request.session[SATISFIED_BY_PROVIDER] = True
                return None, True
        self.request.session.pop(SATISFIED_BY_PROVIDER, None)
        return super().handle()
