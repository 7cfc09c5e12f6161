"""The machine API's kit: who is calling, problem details and pagination, shared by every app's API.

It sits on the ground floor so each app's `api.py` imports it without importing `exchange`, which
mounts those routers (docs/architecture.md). Authentication itself (`exchange.auth.BearerToken`)
stays with the API's wiring: it needs the partnership's tokens.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest
from ninja import Field, Schema

if TYPE_CHECKING:
    from iomshare.partnership.models import StaffMember

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


def caller(request: HttpRequest) -> StaffMember:
    """The staff member the request's token acts as (set by the API's bearer authentication)."""
    return request.auth  # type: ignore[attr-defined]


def caller_agency_id(request: HttpRequest) -> int:
    """The caller's agency: a token acts only for a member of one (partnership.tokens.authenticate_token)."""
    agency_id = caller(request).agency_id
    assert agency_id is not None
    return agency_id


class PageParams(Schema):
    limit: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="Results per page.")
    offset: int = Field(0, ge=0, le=2**63 - 1, description="How many results to skip.")


class Page(Schema):
    count: int = Field(description="How many results there are in all.")
    limit: int
    offset: int


class FieldProblem(Schema):
    location: str = Field(description="Where the value was: body, query or path.")
    field: str = Field(description="The field's name (dotted for nested fields).")
    message: str


class Problem(Schema):
    """RFC 9457 problem details, served as application/problem+json."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    request_id: str | None = None
    errors: list[FieldProblem] | None = None


PROBLEMS = {401: Problem, 403: Problem, 404: Problem, 422: Problem}
