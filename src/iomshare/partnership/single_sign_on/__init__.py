"""Single sign-on through an agency's own OpenID Connect provider (django-allauth's `openid_connect`).

allauth runs the protocol (discovery, code flow with PKCE, ID token checks through its `jwtkit`);
this package decides who the person is in the partnership: which agency's provider vouched for them,
which role its claims map to, whether an existing account is theirs, and whether the provider's
second factor stands in for iomshare's own. Anything it cannot place is refused, creating nothing.
"""

from __future__ import annotations

from iomshare.partnership.single_sign_on.adapter import SingleSignOnAdapter
from iomshare.partnership.single_sign_on.provider import AgencyProvider
from iomshare.partnership.single_sign_on.services import (
    accept_provider_second_factor,
    withdraw_provider_second_factor,
)

__all__ = [
    "AgencyProvider",
    "SingleSignOnAdapter",
    "accept_provider_second_factor",
    "withdraw_provider_second_factor",
]
