"""Django admin's pages of person data are on the ledger like every other view (invariant 2).

Admin is for administrators fixing reference data; where it lists or shows a model that names a
person (source records, requests, notifications, legal holds...), the view is recorded before it
is shown, and is not shown if it cannot be recorded.
"""

from __future__ import annotations

from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve

from iomshare.ledger import services
from iomshare.ledger.models import Action

PERSON_FIELDS = {"person", "person_id", "survivor", "absorbed", "given_name", "family_name"}


def holds_person_data(model: type[models.Model]) -> bool:
    """Whether a model's rows name or describe a person (a link to a Person, or a person's name)."""
    for field in model._meta.get_fields():
        if field.name in PERSON_FIELDS:
            return True
        related = getattr(field, "related_model", None)
        if related is not None and related._meta.label_lower == "people.person" and field.concrete:
            return True
    return False


class AdminViewsOnLedgerMiddleware:
    """Records each admin page of a model holding person data that a staff member reads."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method != "GET" or response.status_code != 200 or not request.path.startswith("/admin/"):
            return response
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return response
        model_admin = getattr(match.func, "model_admin", None)
        if model_admin is None or not holds_person_data(model_admin.model):
            return response
        try:
            self._record(request, match, model_admin)
        except services.LedgerUnavailable as error:
            return render(
                request,
                "web/ledger_unavailable.html",
                {"message": error.message, "page_title": "Sorry, this is not available right now"},
                status=503,
            )
        return response

    @staticmethod
    def _record(request: HttpRequest, match, model_admin) -> None:
        services.record(
            Action.VIEW,
            by=request.user,
            details={
                "admin": model_admin.model._meta.label_lower,
                "view": match.url_name or "",
                "object": str(match.kwargs.get("object_id", "")),
                "query": request.GET.urlencode()[:500],
            },
        )
