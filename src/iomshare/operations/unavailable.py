"""Answering 503 when the database is too busy: problem details on the API, a GOV.UK page on the web.

A lock or statement timeout (operations.timeouts), on its own or behind an unavailable ledger, means
"try again soon", not "something is broken": the answer says so, with Retry-After, and touches no
database on its way.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from iomshare.operations.timeouts import is_database_timeout

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"
TITLE = "Sorry, there is a problem with the service"


def is_unavailable(error: BaseException) -> bool:
    """A database timeout, also when it is the cause of another error (the ledger could not be written
    because its lock timed out). Other failures stay 500s: "try again soon" would not be true."""
    return is_database_timeout(error)


def retry_after() -> str:
    return str(settings.IOMSHARE_RETRY_AFTER_SECONDS)


def api_problem(request: HttpRequest) -> HttpResponse:
    from iomshare.exchange.problems import problem_response, problem_type

    return problem_response(
        request,
        status=503,
        title="The service is busy",
        detail="The request waited too long for the database and was not carried out. "
        "Nothing was changed. Try again in a few seconds.",
        type_=problem_type("service-unavailable"),
        headers={"Retry-After": retry_after()},
    )


def sorry_page(request: HttpRequest) -> HttpResponse:
    """The GOV.UK 'Sorry, there is a problem with the service' page; renders without the database."""
    html = render_to_string(
        "operations/unavailable.html",
        {
            "service_name": settings.IOMSHARE_SERVICE_NAME,
            "page_title": TITLE,
            "user": None,  # the signed-in user would need the database the page is about
            "request_id": getattr(request, "request_id", ""),
            "retry_after": retry_after(),
        },
    )
    response = HttpResponse(html, status=503)
    response["Retry-After"] = retry_after()
    return response


def unavailable_response(request: HttpRequest) -> HttpResponse:
    return api_problem(request) if request.path.startswith(API_PREFIX) else sorry_page(request)


class ServiceUnavailableMiddleware:
    """Turns a database timeout raised by a view into a prompt 503 instead of a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_unavailable(exception):
            return None
        logger.warning(
            "Answered 503: %s", exception, extra={"request_id": getattr(request, "request_id", "")}
        )
        return unavailable_response(request)
