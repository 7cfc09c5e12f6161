"""Bearer-token authentication for the machine API.

The API accepts only `Authorization: Bearer <token>`, never the web session cookie: a browser
cannot be tricked into sending a bearer token, so the API needs no CSRF protection.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from iomshare.kit.api import caller
from iomshare.ledger.context import client_address
from iomshare.partnership.models import StaffMember
from iomshare.partnership.tokens import authenticate_token, check_scope, scope_needed_for

__all__ = ["BearerToken", "caller"]  # `caller` lives in iomshare.kit.api


class BearerToken(HttpBearer):
    """An API token issued with `iomshare token issue`; it acts as its staff member."""

    def authenticate(self, request: HttpRequest, token: str) -> StaffMember | None:
        staff = authenticate_token(token.strip(), address=client_address(request))
        if staff is not None:
            # Every operation, every call: the token's scopes must cover what this one does.
            match = request.resolver_match
            assert staff.api_token is not None  # authenticate_token sets it on the member it returns
            check_scope(
                staff.api_token, scope_needed_for(match.url_name or "" if match else "", request.method or "")
            )
            # The session's user (if any) must not leak into an API request.
            request.user = staff
        return staff
