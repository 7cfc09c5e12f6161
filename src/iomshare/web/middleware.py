"""Request-wide protections and bookkeeping."""

from __future__ import annotations

import uuid

from django.http import HttpRequest, HttpResponse

from iomshare.operations.logs import logging_request

# No inline scripts or styles, nothing from elsewhere: every asset is vendored and served by us.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class RequestIdMiddleware:
    """Give each request an id (or keep the caller's X-Request-ID) so ledger entries can be traced."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if 8 <= len(incoming) <= 64 and incoming.isascii() else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]  # read with getattr by logs, ledger, problems
        with logging_request(request_id):
            response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response


class NoStoreMiddleware:
    """No cache (browser, proxy) keeps a copy of any page or API answer: nearly every one names or
    describes a person. Static assets are served before this (WhiteNoise) and keep their caching."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response["Cache-Control"] = "no-store"
        return response


class ApiProblemsMiddleware:
    """Every /api/ answer is problem details, including Django's own 404 (no such path) and 405."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path.startswith("/api/")
            and response.status_code in (404, 405)
            and "json" not in response.get("Content-Type", "")
        ):
            from iomshare.exchange.problems import problem_response

            detail = (
                f"There is no {request.method} operation at {request.path}; see /api/v1/openapi.json."
                if response.status_code == 405
                else f"There is nothing at {request.path}; see /api/v1/openapi.json for the operations."
            )
            problem = problem_response(
                request,
                status=response.status_code,
                title="Method not allowed" if response.status_code == 405 else "Not found",
                detail=detail,
            )
            if response.has_header("Allow"):
                problem["Allow"] = response["Allow"]
            return problem
        return response


class LedgerUnavailableMiddleware:
    """A page whose access cannot be recorded on the ledger is not shown: 503 with an explanation
    (docs/ledger.md), rather than a bare server error. The API answers its own problem details."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from iomshare.ledger.services import LedgerUnavailable

        if not isinstance(exception, LedgerUnavailable):
            return None
        from django.shortcuts import render

        return render(
            request,
            "web/ledger_unavailable.html",
            {"message": exception.message, "page_title": "Sorry, this is not available right now"},
            status=503,
        )
