"""Recording an item about a person."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from iomshare.errors import DomainError
from iomshare.kit.form_pages import first_errors, render_form_page
from iomshare.kit.posted import posted
from iomshare.partnership.signed_in import SignedInRequest
from iomshare.people.selectors import person_profile
from iomshare.records import selectors, services
from iomshare.records.forms import CorrectItemForm, RecordItemForm, WithdrawItemForm
from iomshare.records.models import Category, InformationItem, Sensitivity
from iomshare.web.govuk_date_field import typed_parts

# The order fields appear on the form: the error summary lists problems in the same order.
FIELD_ORDER = ["category", "sensitivity", "summary", "details", "valid_from", "review_by"]
DATES = ("valid_from", "review_by")


def _date_parts(day: dt.date) -> dict[str, str]:
    return {"day": str(day.day), "month": str(day.month), "year": str(day.year)}


def _default_dates() -> dict[str, dict[str, str]]:
    """Today, and a review a year from now: what most practitioners choose, so pre-fill it."""
    today = timezone.localdate()
    return {"valid_from": _date_parts(today), "review_by": _date_parts(today + dt.timedelta(days=365))}


@login_required
def record_item(request: SignedInRequest, person_id: uuid.UUID) -> HttpResponse:
    person = person_profile(person_id, request.user)
    if person is None:
        raise Http404("No such person")
    form = RecordItemForm(posted(request))
    errors: dict[str, str] = {}
    if form.is_bound:
        if form.is_valid():
            try:
                services.record_item(by=request.user, person=person, **form.cleaned_data)
            except DomainError as error:
                errors = error.field_errors or {"summary": error.message}
            else:
                messages.success(request, "The information has been recorded.")
                return redirect("people:person", person.id)
        else:
            errors = first_errors(form)
    return render_form_page(
        request,
        "records/record_item.html",
        {
            "person": person,
            "values": form.data,
            "dates": {name: typed_parts(form, name) for name in DATES} if form.is_bound else _default_dates(),
            "categories": Category.objects.all(),
            "sensitivities": Sensitivity.choices,
            "nav": "cohort",
        },
        title=f"Record information about {person.full_name}",
        errors={field: errors[field] for field in FIELD_ORDER if field in errors},
    )


def _item_of(request: SignedInRequest, item_id: uuid.UUID) -> InformationItem:
    item = selectors.item_for(request.user, item_id)
    if item is None:
        raise Http404("No such item")
    return item


def _change_page(
    request: SignedInRequest, item: InformationItem, values: Mapping[str, Any], errors: dict[str, str]
) -> HttpResponse:
    return render_form_page(
        request,
        "records/change_item.html",
        {"item": item, "values": values, "nav": "cohort"},
        title="Correct or withdraw information",
        errors=errors,
    )


@login_required
def change_item(request: SignedInRequest, item_id: uuid.UUID) -> HttpResponse:
    """Correct an item held by the viewer's own agency (invariant 4); withdraw_item withdraws it."""
    item = _item_of(request, item_id)
    form = CorrectItemForm(posted(request))
    if not form.is_bound:
        return _change_page(request, item, {"summary": item.summary, "details": item.details}, {})
    form.is_valid()
    try:
        services.correct_item(
            item,
            by=request.user,
            changes={
                "summary": form.cleaned_data.get("summary", ""),
                "details": form.cleaned_data.get("details", ""),
            },
            reason=form.cleaned_data.get("reason", ""),
        )
    except DomainError as error:
        return _change_page(request, item, form.data, dict(error.field_errors) or {"reason": error.message})
    messages.success(request, "The information has been corrected. Everyone who saw it has been told.")
    return redirect("people:person", item.person_id)


@login_required
@require_POST
def withdraw_item(request: SignedInRequest, item_id: uuid.UUID) -> HttpResponse:
    """Withdraw an item held by the viewer's own agency: nobody sees it again (invariant 4)."""
    item = _item_of(request, item_id)
    form = WithdrawItemForm(request.POST)
    form.is_valid()
    try:
        services.withdraw_item(item, by=request.user, reason=form.cleaned_data.get("withdraw_reason", ""))
    except DomainError as error:
        errors = dict(error.field_errors) or {"reason": error.message}
        if "reason" in errors:
            errors["withdraw_reason"] = errors.pop("reason")
        return _change_page(request, item, form.data, errors)
    messages.success(request, "The information has been withdrawn. Everyone who saw it has been told.")
    return redirect("people:person", item.person_id)
