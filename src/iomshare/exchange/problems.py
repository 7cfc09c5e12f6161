"""Errors from the machine API as RFC 9457 problem details (`application/problem+json`).

Every failure a client can meet has the same shape: `type`, `title`, `status`, `detail`, `instance`,
the request id to quote to the service desk, and for invalid input an `errors` list naming each field
(where it was: body, query or path) and what is wrong with it. `type` URIs identify the kind of
problem; they are names, not pages to fetch.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from http import HTTPStatus
from typing import Any, TypeVar, cast

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from iomshare.errors import DomainError, InvalidInput, NotFound, NotPermitted
from iomshare.operations import unavailable
from iomshare.operations.timeouts import is_database_timeout

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://iomshare.example/problems/"
GENERIC_TYPE = "about:blank"

# The problem type of each domain error class; any other DomainError is a generic problem.
DOMAIN_PROBLEM_TYPES: dict[type[DomainError], str] = {
    InvalidInput: "invalid-input",
    NotPermitted: "not-permitted",
    NotFound: "not-found",
}


def problem_type(slug: str) -> str:
    return PROBLEM_TYPE_BASE + slug


def problem_response(
    request: HttpRequest,
    *,
    status: int,
    title: str,
    detail: str,
    type_: str = GENERIC_TYPE,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    """One problem details response; `errors` lists each invalid field when there are any."""
    body: dict[str, Any] = {
        "type": type_,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.path,
    }
    if request_id := getattr(request, "request_id", None):
        body["request_id"] = request_id
    if errors is not None:
        body["errors"] = errors
    response = HttpResponse(
        json.dumps(body, cls=DjangoJSONEncoder), status=status, content_type=PROBLEM_CONTENT_TYPE
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def field_error(location: str, field: str, message: str) -> dict[str, str]:
    return {"location": location, "field": field, "message": message}


def _where_input_came_from(request: HttpRequest) -> str:
    """Domain errors name service arguments, which came from the body of a write, else the query."""
    return "body" if request.method in {"POST", "PUT", "PATCH"} else "query"


def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    slug = next((s for cls, s in DOMAIN_PROBLEM_TYPES.items() if isinstance(exc, cls)), None)
    location = _where_input_came_from(request)
    errors = [field_error(location, field, message) for field, message in exc.field_errors.items()]
    return problem_response(
        request,
        status=exc.status,
        title=exc.title,
        detail=exc.message,
        type_=problem_type(slug) if slug else GENERIC_TYPE,
        errors=errors or None,
        # 503 (the ledger cannot be written, often a lock timeout): the client may try again soon.
        headers={"Retry-After": unavailable.retry_after()} if exc.status == 503 else None,
    )


def database_error(request: HttpRequest, exc: DatabaseError) -> HttpResponse:
    """A lock or statement timeout is a 503 with Retry-After; any other database error is a 500."""
    if is_database_timeout(exc):
        return unavailable.api_problem(request)
    return unexpected_error(request, exc)


def _field_path(location: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in location)


def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """422, naming each field as `location` (body, query, path) and its dotted `field` path."""
    errors = []
    for error in exc.errors:
        source, *path = error.get("loc") or ("body",)
        if source == "body" and len(path) > 1:
            path = path[1:]  # drop the endpoint's parameter name: clients never see it
        errors.append(field_error(str(source), _field_path(tuple(path)), str(error.get("msg", "Invalid"))))
    return problem_response(
        request,
        status=422,
        title=InvalidInput.title,
        detail="The request was not carried out: correct the problems listed.",
        type_=problem_type("invalid-input"),
        errors=errors,
    )


def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    """401 with the RFC 6750 challenge; a presented but unusable token says so."""
    presented = bool(request.headers.get("Authorization"))
    challenge = 'Bearer realm="iomshare"' + (', error="invalid_token"' if presented else "")
    detail = (
        "The bearer token is not valid: it is unknown, revoked or expired, or its account is deactivated."
        if presented
        else "Send an API token in the Authorization header: `Authorization: Bearer <token>`."
    )
    return problem_response(
        request,
        status=401,
        title="Authentication needed",
        detail=detail,
        type_=problem_type("unauthenticated"),
        headers={"WWW-Authenticate": challenge},
    )


def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    detail = str(exc)
    if exc.status_code == 400:
        # django-ninja's one 400: a body that is not the JSON it expects.
        detail += ": send a JSON object with the header Content-Type: application/json."
    return problem_response(
        request, status=exc.status_code, title=HTTPStatus(exc.status_code).phrase, detail=detail
    )


def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    # Http404's own text may come from Django internals; ours is always plain.
    return problem_response(
        request,
        status=404,
        title=NotFound.title,
        detail="There is nothing at this address, or you may not know whether there is.",
        type_=problem_type("not-found"),
    )


def unexpected_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    """500 that tells the client nothing of the internals; the traceback goes to the log."""
    logger.exception("Unexpected error in API request %s", getattr(request, "request_id", "-"))
    return problem_response(
        request,
        status=500,
        title="Something went wrong",
        detail="The request could not be completed because of an error on our side. If it happens again, "
        "quote the request id to your service desk.",
    )


def too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return problem_response(
        request,
        status=413,
        title="Request body too large",
        detail=f"The request body is larger than the {limit:,} bytes this API accepts; send less at once "
        "(extracts go to POST /api/v1/imports as a file).",
    )


_E = TypeVar("_E", bound=Exception)


def _handle(api: NinjaAPI, error: type[_E], handler: Callable[[HttpRequest, _E], HttpResponse]) -> None:
    # django-ninja's type lets a handler be given the exception's class; it is given the exception.
    api.add_exception_handler(error, cast(Callable[[HttpRequest, "_E | type[_E]"], HttpResponse], handler))


def install(api: NinjaAPI) -> None:
    """Make every error `api` can raise a problem details response."""
    _handle(api, RequestDataTooBig, too_large)
    _handle(api, DomainError, domain_error)
    _handle(api, ValidationError, validation_error)
    _handle(api, AuthenticationError, authentication_error)
    _handle(api, HttpError, http_error)
    _handle(api, Http404, not_found)
    _handle(api, DatabaseError, database_error)
    _handle(api, Exception, unexpected_error)
