"""allauth's OpenID Connect provider, checking the ID token's signature on every sign-in.

allauth skips the signature when the token came straight from the token endpoint over TLS (OpenID
Connect Core 3.1.3.7 allows it). iomshare checks it anyway, with allauth's own `jwtkit` and the
provider's published keys: a proxy or a misconfigured TLS hop cannot then alter who signs in.
"""

from __future__ import annotations

from allauth.account.internal.decorators import login_not_required
from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django.http import Http404, HttpRequest


class SignatureCheckingAdapter(OpenIDConnectOAuth2Adapter):
    def _decode_id_token(self, app: SocialApp, id_token: str) -> dict:
        return jwtkit.verify_and_decode(
            credential=id_token,
            keys_url=self.openid_config["jwks_uri"],
            issuer=self.openid_config["issuer"],
            audience=app.client_id,
            lookup_kid=jwtkit.lookup_kid_jwk,
            verify_signature=True,
        )


class AgencyProvider(OpenIDConnectProvider):
    """Registered in place of allauth's (SOCIALACCOUNT_PROVIDERS provider_class); same id and URLs."""

    oauth2_adapter_class = SignatureCheckingAdapter
    package = "iomshare.partnership.single_sign_on"


@login_not_required
def login(request: HttpRequest, provider_id: str):
    try:
        return OAuth2LoginView.adapter_view(SignatureCheckingAdapter(request, provider_id))(request)
    except SocialApp.DoesNotExist:
        raise Http404("No agency signs in through this provider.") from None


@login_not_required
def callback(request: HttpRequest, provider_id: str):
    try:
        return OAuth2CallbackView.adapter_view(SignatureCheckingAdapter(request, provider_id))(request)
    except SocialApp.DoesNotExist:
        raise Http404("No agency signs in through this provider.") from None
