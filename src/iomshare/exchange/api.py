"""The machine API at /api/v1/ (django-ninja): one NinjaAPI, each app adds its router.

Bearer tokens only (no session cookie, so no CSRF); every error is an RFC 9457 problem.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import NinjaAPI, Swagger

from iomshare.alerts.api import router as alerts_router
from iomshare.casework.api import router as casework_router
from iomshare.exchange import problems
from iomshare.exchange.auth import BearerToken, caller
from iomshare.exchange.extracts_api import router as extracts_router
from iomshare.exchange.imports_api import router as imports_router
from iomshare.exchange.schemas import MeOut
from iomshare.forms.api import router as forms_router
from iomshare.identity.api import router as identity_router
from iomshare.information_requests.api import router as information_requests_router
from iomshare.kit.api import PROBLEMS
from iomshare.ledger.api import router as ledger_router
from iomshare.people.api import router as people_router
from iomshare.people.cohort_api import router as cohort_router
from iomshare.records.api import router as records_router
from iomshare.service_referrals.api import router as service_referrals_router
from iomshare.subject_access.api import router as subject_access_router
from iomshare.vocabulary.api import router as vocabulary_router


class IomshareAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any):
        """The OpenAPI document, with error responses declared as application/problem+json."""
        schema = super().get_openapi_schema(**kwargs)
        for operations in schema["paths"].values():
            for operation in operations.values():
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if int(status) >= 400 and "application/json" in content:
                        response["content"] = {problems.PROBLEM_CONTENT_TYPE: content["application/json"]}
        return schema


api = IomshareAPI(
    title="iomshare API",
    version="1",
    description="The machine API of an IOM partnership's information-sharing hub. Authenticate with an "
    "API token (`iomshare token issue`) in `Authorization: Bearer <token>`. Errors are RFC 9457 "
    "problem details. See docs/api.md.",
    urls_namespace="api-v1",
    auth=BearerToken(),
    # Swagger UI from django-ninja's own static files: no CDN and no inline script, so it runs
    # under the site's Content-Security-Policy; the validator badge would call out to the internet.
    docs=Swagger(settings={"validatorUrl": None, "persistAuthorization": False}),
    docs_url="/docs",
)
problems.install(api)
api.add_router("", people_router)
api.add_router("", records_router)
api.add_router("", ledger_router)
api.add_router("", vocabulary_router)
api.add_router("", forms_router)
api.add_router("", imports_router)
api.add_router("", extracts_router)
api.add_router("", identity_router)
api.add_router("", information_requests_router)
api.add_router("", subject_access_router)
api.add_router("", cohort_router)
api.add_router("", alerts_router)
api.add_router("", casework_router)
api.add_router("", service_referrals_router)


@api.get("/me", response={200: MeOut, **PROBLEMS}, tags=["me"], url_name="me")
def me(request: HttpRequest):
    """Who the token acts as: username, agency and role."""
    return caller(request)
