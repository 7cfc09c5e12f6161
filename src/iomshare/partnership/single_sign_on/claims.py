"""Reading an agency provider's claims: which agency, which role, whether a second factor was used."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from allauth.socialaccount.models import SocialApp, SocialLogin

from iomshare.partnership.models import AgencySignOn, Role


def sign_on_of(sociallogin: SocialLogin) -> AgencySignOn | None:
    """The agency set up with the provider this sign-in came through, if any."""
    app = sociallogin.provider.app
    if app is None or app.pk is None:
        return None
    return AgencySignOn.objects.select_related("agency", "provider").filter(provider=app).first()


def claims_of(sociallogin: SocialLogin) -> dict[str, Any]:
    """The ID token's claims, with the userinfo endpoint's for what the token leaves out."""
    data = sociallogin.account.extra_data or {}
    return {**(data.get("userinfo") or {}), **(data.get("id_token") or {})}


def _as_values(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return str(value).split()


def role_from(sign_on: AgencySignOn, claims: dict[str, Any]) -> Role | None:
    """The iomshare role the claims map to; None when no value is mapped or two values disagree."""
    roles = {
        sign_on.role_mapping[v]
        for v in _as_values(claims.get(sign_on.role_claim))
        if v in sign_on.role_mapping
    }
    if len(roles) != 1 or (role := roles.pop()) not in Role.values or role == Role.SYSTEM:
        return None  # a mapping saved around the admin's checks still gives no system account
    return Role(role)


def role_values(sign_on: AgencySignOn, claims: dict[str, Any]) -> list[str]:
    return _as_values(claims.get(sign_on.role_claim))


def vouches_for_second_factor(sign_on: AgencySignOn, claims: dict[str, Any]) -> bool:
    """Whether the provider says a second factor was used and the agency's IG lead accepts that."""
    if not sign_on.accepts_provider_second_factor:
        return False
    amr = set(_as_values(claims.get("amr")))
    acr = str(claims.get("acr") or "")
    return bool(amr & set(sign_on.second_factor_amr.split())) or (
        acr != "" and acr in sign_on.second_factor_acr.split()
    )


def provider_origins() -> list[str]:
    """Where the sign-in page's buttons send the browser: each agency provider's origin.

    The page's content security policy (form-action) must name them, or browsers stop the redirect
    to the provider. The origin is the provider's `server_url`'s, or that of an overridden
    `authorization_endpoint`.
    """
    origins: set[str] = set()
    for app in SocialApp.objects.filter(agency_sign_on__isnull=False):
        overrides = app.settings.get("openid_configuration_overrides") or {}
        for url in (app.settings.get("server_url", ""), overrides.get("authorization_endpoint", "")):
            parts = urlsplit(str(url))
            if parts.scheme in {"https", "http"} and parts.netloc:
                origins.add(f"{parts.scheme}://{parts.netloc}")
    return sorted(origins)
