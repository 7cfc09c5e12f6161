"""iomshare's settings of django-allauth: no self sign-up, lockout messages, addresses as the ledger sees them."""

from __future__ import annotations

import time
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django import forms
from django.conf import settings
from django.http import HttpRequest

from iomshare.ledger.context import client_address
from iomshare.partnership import lockout


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "username_password_mismatch": "The username or password is not right",
    }

    def send_password_reset_mail(self, user, email: str, context: dict[str, Any]) -> None:
        # An account made by single sign-on has no password: giving it one by e-mail would let someone
        # whom their agency's provider has switched off keep signing in. Such accounts get no reset.
        if not user.has_usable_password():
            return
        super().send_password_reset_mail(user, email, context)

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        """Each role lands on its own work (web.views.landing_page), unless a `next` page was asked for."""
        from django.urls import reverse

        # Imported here: the web shell builds on partnership.
        from iomshare.web.views import landing_page

        return reverse(landing_page(request.user))

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        """Accounts are made by an agency's administrator (or single sign-on), never by their holder."""
        return False

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        """Say plainly when the account or the address is locked, this failure included."""
        reason = getattr(request, "sign_in_refusal", None) or lockout.refusal(
            credentials.get("username", ""), client_address(request)
        )
        if reason:
            raise forms.ValidationError(reason, code="locked")

    def is_reauthentication_required(self, *, app: str) -> bool:
        """Changing second factors asks for the password again, except in the minutes after a sign-in
        that had no second factor yet: first sign-in enrolment and seeing its recovery codes."""
        from allauth.account.authentication import get_authentication_records
        from allauth.core import context

        request = context.request
        if app == "allauth.mfa" and request is not None and request.user.is_authenticated:
            from iomshare.partnership.second_factor import had_second_factor_before

            records = get_authentication_records(request, request.user)
            if (
                records
                and time.time() - records[-1]["at"] < settings.ACCOUNT_REAUTHENTICATION_TIMEOUT
                and not had_second_factor_before(request.user, records[-1]["at"])
            ):
                return False
        return super().is_reauthentication_required(app=app)

    def get_login_stages(self) -> list[str]:
        """allauth's stages, its second-factor step taught that an agency's provider may vouch for one."""
        stages = super().get_login_stages()
        return [
            "iomshare.partnership.single_sign_on.adapter.SecondFactorStage"
            if stage == "allauth.mfa.stages.AuthenticateStage"
            else stage
            for stage in stages
        ]

    def get_client_ip(self, request: HttpRequest) -> str:
        return client_address(request) or "0.0.0.0"  # noqa: S104 (a placeholder, not a bind address)

    def add_message(
        self, request, level, message_template=None, message_context=None, extra_tags="", message=None
    ):
        # "Successfully signed in as ..." says nothing the next page does not; the others are kept.
        if message_template and message_template.endswith(("logged_in.txt", "logged_out.txt")):
            return
        super().add_message(request, level, message_template, message_context, extra_tags, message)


class SecondFactorAdapter(DefaultMFAAdapter):
    def get_totp_issuer(self) -> str:
        return settings.MFA_TOTP_ISSUER

    def get_public_key_credential_rp_entity(self) -> dict[str, str]:
        entity = super().get_public_key_credential_rp_entity()
        entity["name"] = settings.IOMSHARE_SERVICE_NAME
        return entity
