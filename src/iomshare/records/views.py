"""Recording an item about a person."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from iomshare.errors import DomainError
from iomshare.people.selectors import person_profile
from iomshare.records import selectors, services
from iomshare.records.models import Category, Sensitivity
from iomshare.web.govuk_dates import DateInputError, parse_date_input

# The order fields appear on the form: the error summary lists problems in the same order.
FIELD_ORDER = ["category", "sensitivity", "summary", "details", "valid_from", "review_by"]


def _date_fields(name: str, day: dt.date) -> dict[str, str]:
    return {f"{name}-day": str(day.day), f"{name}-month": str(day.month), f"{name}-year": str(day.year)}


def _default_dates() -> dict[str, str]:
    """Today, and a review a year from now: what most practitioners choose, so pre-fill it."""
    today = timezone.localdate()
    return {**_date_fields("valid_from", today), **_date_fields("review_by", today + dt.timedelta(days=365))}


@login_required
def record_item(request: HttpRequest, person_id) -> HttpResponse:  # noqa: C901 (until the view reads through a Django form (issue 17))
    person = person_profile(person_id, request.user)
    if person is None:
        raise Http404("No such person")
    errors: dict[str, str] = {}
    values = request.POST if request.method == "POST" else _default_dates()
    if request.method == "POST":
        category = Category.objects.filter(code=request.POST.get("category", "")).first()
        if category is None:
            errors["category"] = "Select the kind of information"
        try:
            sensitivity = int(request.POST.get("sensitivity", ""))
        except ValueError:
            sensitivity = 0
            errors["sensitivity"] = "Select how sensitive the information is"
        dates = {}
        for name, label, required in (
            ("valid_from", "the date the information applies from", True),
            ("review_by", "the date it must be reviewed by", True),
        ):
            try:
                dates[name] = parse_date_input(request.POST, name, label, required=required)
            except DateInputError as error:
                errors[name] = str(error)
        if not request.POST.get("summary", "").strip():
            errors["summary"] = "Enter a summary of the information"
        if not errors:
            try:
                services.record_item(
                    by=request.user,
                    person=person,
                    category=category,
                    sensitivity=sensitivity,
                    summary=request.POST["summary"],
                    details=request.POST.get("details", ""),
                    valid_from=dates["valid_from"],
                    review_by=dates["review_by"],
                )
            except DomainError as error:
                errors = error.field_errors or {"summary": error.message}
            else:
                messages.success(request, "The information has been recorded.")
                return redirect("people:person", person.id)
    return render(
        request,
        "records/record_item.html",
        {
            "person": person,
            "errors": {field: errors[field] for field in FIELD_ORDER if field in errors},
            "values": values,
            "dates": {
                name: {part: values.get(f"{name}-{part}", "") for part in ("day", "month", "year")}
                for name in ("valid_from", "review_by")
            },
            "categories": Category.objects.all(),
            "sensitivities": Sensitivity.choices,
            "nav": "cohort",
            "page_title": ("Error: " if errors else "") + f"Record information about {person.full_name}",
        },
        status=400 if errors else 200,
    )


@login_required
def change_item(request: HttpRequest, item_id) -> HttpResponse:
    """Correct or withdraw an item held by the viewer's own agency (invariant 4)."""
    item = selectors.item_for(request.user, item_id)
    if item is None:
        raise Http404("No such item")
    errors: dict[str, str] = {}
    action = request.POST.get("action", "")
    values = request.POST if request.method == "POST" else {"summary": item.summary, "details": item.details}
    if request.method == "POST" and action in {"correct", "withdraw"}:
        try:
            if action == "correct":
                services.correct_item(
                    item,
                    by=request.user,
                    changes={
                        "summary": request.POST.get("summary", ""),
                        "details": request.POST.get("details", ""),
                    },
                    reason=request.POST.get("reason", ""),
                )
                messages.success(
                    request, "The information has been corrected. Everyone who saw it has been told."
                )
            else:
                services.withdraw_item(item, by=request.user, reason=request.POST.get("withdraw_reason", ""))
                messages.success(
                    request, "The information has been withdrawn. Everyone who saw it has been told."
                )
        except DomainError as error:
            errors = dict(error.field_errors) or {"reason": error.message}
            if action == "withdraw" and "reason" in errors:
                errors["withdraw_reason"] = errors.pop("reason")
        else:
            return redirect("people:person", item.person_id)
    return render(
        request,
        "records/change_item.html",
        {
            "item": item,
            "errors": errors,
            "values": values,
            "nav": "cohort",
            "page_title": ("Error: " if errors else "") + "Correct or withdraw information",
        },
        status=400 if errors else 200,
    )
