"""Retention pages: the review queue, legal holds, schedules, items to check, restriction.

Thin: parse the form, call a service or selector, render. Only metadata of items is shown here.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from iomshare.errors import DomainError, NotFound
from iomshare.partnership.models import Role
from iomshare.people.models import Person
from iomshare.people.visibility import may_know
from iomshare.records.models import Category
from iomshare.records.selectors import judging
from iomshare.retention import due, selectors, services, sweep_summary
from iomshare.retention.models import (
    ExpiryAction,
    LegalHold,
    PeriodUnit,
    RetentionReview,
    ReviewStatus,
    Trigger,
)
from iomshare.web.govuk_dates import DateInputError, parse_date_input

PAGE_SIZE = 25
SCHEDULE_FIELDS = ["period", "unit", "trigger", "action", "reasoning"]


def _not_permitted(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "retention/not_permitted.html",
        {"page_title": "You cannot see this page", "nav": "retention"},
        status=403,
    )


def ig_leads_only(view):
    """Retention decisions are an information-governance lead's, for the agency they belong to."""

    @wraps(view)
    @login_required
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.user.role != Role.IG_LEAD or request.user.agency_id is None:
            return _not_permitted(request)
        return view(request, *args, **kwargs)

    return wrapped


def _errors_of(error: DomainError, default_field: str) -> dict[str, str]:
    return dict(error.field_errors) or {default_field: error.message}


def _title(title: str, errors: dict) -> str:
    return ("Error: " if errors else "") + title


@ig_leads_only
def overview(request: HttpRequest) -> HttpResponse:
    agency_id = request.user.agency_id
    return render(
        request,
        "retention/overview.html",
        {
            "waiting": selectors.open_reviews(agency_id).count(),
            "stale": selectors.stale_items(agency_id).count(),
            "holds": selectors.holds_for(request.user)[0],
            "sweeps": sweep_summary.sweep_summary(request.user),
            "nav": "retention",
            "page_title": "Retention",
        },
    )


def _review_of(request: HttpRequest, review_id: int) -> RetentionReview:
    review = (
        RetentionReview.objects.select_related("person", "category", "schedule", "holding_agency")
        .filter(pk=review_id, holding_agency_id=request.user.agency_id)
        .first()
    )
    if review is None:
        raise Http404("No such review")
    return review


@ig_leads_only
def review(request: HttpRequest, review_id: int) -> HttpResponse:
    """Retain an item with a reason and a date to look again, or go on to dispose of it."""
    review = _review_of(request, review_id)
    errors: dict[str, str] = {}
    values = request.POST if request.method == "POST" else {}
    if request.method == "POST":
        try:
            retain_until = parse_date_input(
                request.POST, "retain_until", "the date to review the information again", required=True
            )
        except DateInputError as error:
            retain_until = None
            errors["retain_until"] = str(error)
        try:
            services.retain(
                review, by=request.user, reason=request.POST.get("reason", ""), retain_until=retain_until
            )
        except DomainError as error:
            errors = {**_errors_of(error, "reason"), **errors}
        else:
            messages.success(
                request,
                f"{review.category.name} information about {review.person.full_name} is kept until "
                f"{retain_until:%-d %B %Y}.",
            )
            return redirect("retention:review-queue")
    holds = services.active_holds(person_ids=[review.person_id], item_ids=[review.item_id])
    return render(
        request,
        "retention/review.html",
        {
            "review": review,
            "content": judging.item_to_judge(request.user, review.item_id, purpose=judging.RETENTION_REVIEW),
            "purpose_words": "retention review",
            "holds": holds,
            "hold_explanation": services.hold_explanation(holds),
            "errors": {k: errors[k] for k in ["reason", "retain_until"] if k in errors}
            | {k: v for k, v in errors.items() if k not in {"reason", "retain_until"}},
            "values": values,
            "retain_day": values.get("retain_until-day", ""),
            "retain_month": values.get("retain_until-month", ""),
            "retain_year": values.get("retain_until-year", ""),
            "is_open": review.status == ReviewStatus.OPEN,
            "nav": "retention",
            "page_title": _title("Decide whether to keep this information", errors),
        },
        status=400 if errors else 200,
    )


@ig_leads_only
def dispose(request: HttpRequest, review_id: int) -> HttpResponse:
    """Check before disposing: it cannot be undone."""
    review = _review_of(request, review_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            services.dispose_after_review(
                review, by=request.user, reason=request.POST.get("dispose_reason", "")
            )
        except DomainError as error:
            errors = _errors_of(error, "dispose_reason")
        else:
            messages.success(
                request,
                f"{review.category.name} information about {review.person.full_name} has been disposed of. "
                "A disposal certificate is on the ledger.",
            )
            return redirect("retention:review-queue")
    holds = services.active_holds(person_ids=[review.person_id], item_ids=[review.item_id])
    return render(
        request,
        "retention/dispose.html",
        {
            "review": review,
            "holds": holds,
            "hold_explanation": services.hold_explanation(holds),
            "errors": errors,
            "values": request.POST if request.method == "POST" else {},
            "nav": "retention",
            "page_title": _title("Dispose of this information", errors),
        },
        status=400 if errors else 200,
    )


@ig_leads_only
def holds(request: HttpRequest) -> HttpResponse:
    active, lifted = selectors.holds_for(request.user)
    return render(
        request,
        "retention/holds.html",
        {"active": active, "lifted": lifted, "nav": "retention", "page_title": "Legal holds"},
    )


@ig_leads_only
def place_hold(request: HttpRequest) -> HttpResponse:
    """A hold on a person (`?person=`) or an item (`?item=`), with the reason it must be kept."""
    person_id = request.GET.get("person") or request.POST.get("person")
    item_id = request.GET.get("item") or request.POST.get("item")
    person = None
    facts = None
    try:
        if item_id:
            facts = due.item_facts(item_id)
            if facts is None:
                raise Http404("No such item")
        elif person_id:
            person = Person.objects.filter(pk=person_id).first()
        else:
            raise Http404("Choose a person or an item")
    except (ValueError, DomainError) as error:
        raise Http404("No such person") from error
    if person is None and facts is None:
        raise Http404("No such person")
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            services.place_legal_hold(
                by=request.user,
                reason=request.POST.get("reason", ""),
                person=person,
                item_id=facts.item_id if facts else None,
            )
        except DomainError as error:
            errors = _errors_of(error, "reason")
        else:
            messages.success(request, "The legal hold is in place: nothing it covers will be disposed of.")
            back = request.POST.get("back", "")
            if back.isdigit() and RetentionReview.objects.filter(pk=int(back)).exists():
                return redirect("retention:review", int(back))
            return redirect("retention:holds")
    return render(
        request,
        "retention/place_hold.html",
        {
            "person": person,
            "facts": facts,
            "back": request.GET.get("back") or request.POST.get("back", ""),
            "errors": errors,
            "values": request.POST if request.method == "POST" else {},
            "nav": "retention",
            "page_title": _title("Place a legal hold", errors),
        },
        status=400 if errors else 200,
    )


@ig_leads_only
def lift_hold(request: HttpRequest, hold_id: int) -> HttpResponse:
    hold = (
        LegalHold.objects.select_related("person", "placing_agency", "placed_by").filter(pk=hold_id).first()
    )
    if hold is None or (hold.person_id is not None and not may_know(request.user, hold.person_id)):
        raise Http404("No such legal hold")
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            services.lift_legal_hold(hold, by=request.user, reason=request.POST.get("lift_reason", ""))
        except DomainError as error:
            errors = _errors_of(error, "lift_reason")
        else:
            messages.success(request, "The legal hold has been lifted.")
            return redirect("retention:holds")
    return render(
        request,
        "retention/lift_hold.html",
        {
            "hold": hold,
            "facts": due.item_facts(hold.item_id) if hold.item_id else None,
            "errors": errors,
            "values": request.POST if request.method == "POST" else {},
            "nav": "retention",
            "page_title": _title("Lift a legal hold", errors),
        },
        status=400 if errors else 200,
    )


@ig_leads_only
def schedules(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "retention/schedules.html",
        {
            "rows": selectors.schedules_for(request.user.agency_id),
            "nav": "retention",
            "page_title": "Retention schedules",
        },
    )


@ig_leads_only
def edit_schedule(request: HttpRequest, category_code: str) -> HttpResponse:
    """Set the agency's own schedule for a category, or go back to the partnership default."""
    category = Category.objects.filter(code=category_code).first()
    if category is None:
        raise Http404("No such category")
    row = next(r for r in selectors.schedules_for(request.user.agency_id) if r.category.pk == category.pk)
    errors: dict[str, str] = {}
    current = row.applies
    values = (
        request.POST
        if request.method == "POST"
        else {
            "period": current.period if current else "",
            "unit": current.unit if current else "",
            "trigger": current.trigger if current else "",
            "action": current.action if current else "",
            "reasoning": row.own.reasoning if row.own else "",
        }
    )
    if request.method == "POST":
        try:
            if request.POST.get("use_default"):
                services.use_partnership_default(category, by=request.user)
                messages.success(
                    request, f"{category.name}: your agency now follows the partnership default."
                )
            else:
                services.set_agency_schedule(
                    category,
                    by=request.user,
                    period=request.POST.get("period", ""),
                    unit=request.POST.get("unit", ""),
                    trigger=request.POST.get("trigger", ""),
                    action=request.POST.get("action", ""),
                    reasoning=request.POST.get("reasoning", ""),
                )
                messages.success(request, f"{category.name}: your agency's retention schedule is saved.")
        except DomainError as error:
            errors = _errors_of(error, "period")
            errors = {k: errors[k] for k in SCHEDULE_FIELDS if k in errors} | {
                k: v for k, v in errors.items() if k not in SCHEDULE_FIELDS
            }
        else:
            return redirect("retention:schedules")
    return render(
        request,
        "retention/edit_schedule.html",
        {
            "category": category,
            "row": row,
            "values": values,
            "errors": errors,
            "units": PeriodUnit.choices,
            "triggers": Trigger.choices,
            "actions": ExpiryAction.choices,
            "nav": "retention",
            "page_title": _title(f"Retention of {category.name.lower()}", errors),
        },
        status=400 if errors else 200,
    )


@ig_leads_only
def restriction(request: HttpRequest, item_id) -> HttpResponse:
    """Restrict an item the agency holds while its accuracy is disputed, or lift the restriction."""
    facts = due.item_facts(item_id)
    if facts is None or facts.holding_agency_id != request.user.agency_id:
        raise Http404("No such item")
    errors: dict[str, str] = {}
    if request.method == "POST":
        lifting = request.POST.get("action") == "lift"
        try:
            if lifting:
                services.lift_restriction(
                    facts.item_id, by=request.user, reason=request.POST.get("lift_reason", "")
                )
                messages.success(
                    request, "The restriction is lifted: the information is shared under the protocols again."
                )
            else:
                services.restrict_item(facts.item_id, by=request.user, reason=request.POST.get("reason", ""))
                messages.success(
                    request,
                    "The information is restricted: only your agency's information-governance lead sees it.",
                )
        except NotFound as error:
            raise Http404(error.message) from error
        except DomainError as error:
            errors = _errors_of(error, "lift_reason" if lifting else "reason")
        else:
            return redirect("retention:restriction", facts.item_id)
        facts = due.item_facts(facts.item_id)
    return render(
        request,
        "retention/restriction.html",
        {
            "facts": facts,
            "errors": errors,
            "values": request.POST if request.method == "POST" else {},
            "nav": "retention",
            "page_title": _title("Restrict information", errors),
        },
        status=400 if errors else 200,
    )
