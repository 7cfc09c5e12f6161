"""allauth's OpenID Connect URLs (`/accounts/oidc/<provider_id>/login/`), served by the checking views."""

from allauth.socialaccount import app_settings
from django.urls import include, path, re_path

from iomshare.partnership.single_sign_on import provider

urlpatterns = [
    re_path(
        r"^(?P<provider_id>[^/]+)/",
        include(
            [
                path("login/", provider.login, name="openid_connect_login"),
                path("login/callback/", provider.callback, name="openid_connect_callback"),
            ]
        ),
    )
]
if app_settings.OPENID_CONNECT_URL_PREFIX:
    urlpatterns = [path(f"{app_settings.OPENID_CONNECT_URL_PREFIX}/", include(urlpatterns))]
