"""Retention pages: the review queue, legal holds, schedules, items to check, restriction.

Thin: parse the form, call a service or selector, render. Only metadata of items is shown here.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from iomshare.errors import DomainError, NotFound
from iomshare.kit.form_pages import first_errors, render_form_page
from iomshare.kit.posted import in_order, posted
from iomshare.partnership.models import Role
from iomshare.partnership.signed_in import SignedInRequest
from iomshare.people.models import Person
from iomshare.people.visibility import may_know
from iomshare.records.models import Category
from iomshare.records.selectors import judging
from iomshare.retention import due, selectors, services, sweep_summary
from iomshare.retention.forms import (
    DisposeForm,
    LiftHoldForm,
    LiftRestrictionForm,
    PlaceHoldForm,
    RestrictForm,
    RetainForm,
    ScheduleForm,
)
from iomshare.retention.models import (
    ExpiryAction,
    LegalHold,
    PeriodUnit,
    RetentionReview,
    ReviewStatus,
    Trigger,
)
from iomshare.web.govuk_date_field import typed_parts

PAGE_SIZE = 25
SCHEDULE_FIELDS = ["period", "unit", "trigger", "action", "reasoning"]


def _not_permitted(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "retention/not_permitted.html",
        {"page_title": "You cannot see this page", "nav": "retention"},
        status=403,
    )


def ig_leads_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Retention decisions are an information-governance lead's, for the agency they belong to."""

    @wraps(view)
    @login_required
    def wrapped(request: SignedInRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.role != Role.IG_LEAD or request.user.agency_id is None:
            return _not_permitted(request)
        return view(request, *args, **kwargs)

    return wrapped


def lead_agency_id(request: SignedInRequest) -> int:
    """The agency of the lead at an ig_leads_only view (which turned away staff without one)."""
    if request.user.agency_id is None:
        raise PermissionDenied("Retention decisions are an agency's information-governance lead's.")
    return request.user.agency_id


def _errors_of(error: DomainError, default_field: str) -> dict[str, str]:
    return dict(error.field_errors) or {default_field: error.message}


@ig_leads_only
def overview(request: SignedInRequest) -> HttpResponse:
    return render(
        request,
        "retention/overview.html",
        {
            "waiting": selectors.open_reviews(lead_agency_id(request)).count(),
            "stale": selectors.stale_items(lead_agency_id(request)).count(),
            "holds": selectors.holds_for(request.user)[0],
            "sweeps": sweep_summary.sweep_summary(request.user),
            "nav": "retention",
            "page_title": "Retention",
        },
    )


def _review_of(request: SignedInRequest, review_id: int) -> RetentionReview:
    review = (
        RetentionReview.objects.select_related("person", "category", "schedule", "holding_agency")
        .filter(pk=review_id, holding_agency_id=request.user.agency_id)
        .first()
    )
    if review is None:
        raise Http404("No such review")
    return review


@ig_leads_only
def review(request: SignedInRequest, review_id: int) -> HttpResponse:
    """Retain an item with a reason and a date to look again, or go on to dispose of it."""
    review = _review_of(request, review_id)
    form = RetainForm(posted(request))
    errors: dict[str, str] = {}
    if form.is_bound:
        form.is_valid()
        errors = first_errors(form)
        retain_until = form.cleaned_data.get("retain_until")
        try:
            services.retain(
                review, by=request.user, reason=form.cleaned_data.get("reason", ""), retain_until=retain_until
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
    retain = typed_parts(form, "retain_until")
    return render_form_page(
        request,
        "retention/review.html",
        {
            "review": review,
            "content": judging.item_to_judge(request.user, review.item_id, purpose=judging.RETENTION_REVIEW),
            "purpose_words": "retention review",
            "holds": holds,
            "hold_explanation": services.hold_explanation(holds),
            "values": form.data,
            "retain_day": retain["day"],
            "retain_month": retain["month"],
            "retain_year": retain["year"],
            "is_open": review.status == ReviewStatus.OPEN,
            "nav": "retention",
        },
        title="Decide whether to keep this information",
        errors=in_order(errors, ["reason", "retain_until"]),
    )


@ig_leads_only
def dispose(request: SignedInRequest, review_id: int) -> HttpResponse:
    """Check before disposing: it cannot be undone."""
    review = _review_of(request, review_id)
    form = DisposeForm(posted(request))
    errors: dict[str, str] = {}
    if form.is_bound:
        form.is_valid()
        try:
            services.dispose_after_review(
                review, by=request.user, reason=form.cleaned_data.get("dispose_reason", "")
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
    return render_form_page(
        request,
        "retention/dispose.html",
        {
            "review": review,
            "holds": holds,
            "hold_explanation": services.hold_explanation(holds),
            "values": form.data,
            "nav": "retention",
        },
        title="Dispose of this information",
        errors=errors,
    )


@ig_leads_only
def holds(request: SignedInRequest) -> HttpResponse:
    active, lifted = selectors.holds_for(request.user)
    return render(
        request,
        "retention/holds.html",
        {"active": active, "lifted": lifted, "nav": "retention", "page_title": "Legal holds"},
    )


@ig_leads_only
def place_hold(request: SignedInRequest) -> HttpResponse:
    """A hold on a person (`?person=`) or an item (`?item=`), with the reason it must be kept."""
    form = PlaceHoldForm(posted(request))
    sent = form.cleaned_data if form.is_valid() else {}
    person_id = request.GET.get("person") or sent.get("person")
    item_id = request.GET.get("item") or sent.get("item")
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
    if form.is_bound:
        try:
            services.place_legal_hold(
                by=request.user,
                reason=sent.get("reason", ""),
                person=person,
                item_id=facts.item_id if facts else None,
            )
        except DomainError as error:
            errors = _errors_of(error, "reason")
        else:
            messages.success(request, "The legal hold is in place: nothing it covers will be disposed of.")
            back = sent.get("back", "")
            if back.isdigit() and RetentionReview.objects.filter(pk=int(back)).exists():
                return redirect("retention:review", int(back))
            return redirect("retention:holds")
    return render_form_page(
        request,
        "retention/place_hold.html",
        {
            "person": person,
            "facts": facts,
            "back": request.GET.get("back") or sent.get("back", ""),
            "values": form.data,
            "nav": "retention",
        },
        title="Place a legal hold",
        errors=errors,
    )


@ig_leads_only
def lift_hold(request: SignedInRequest, hold_id: int) -> HttpResponse:
    hold = (
        LegalHold.objects.select_related("person", "placing_agency", "placed_by").filter(pk=hold_id).first()
    )
    if hold is None or (hold.person_id is not None and not may_know(request.user, hold.person_id)):
        raise Http404("No such legal hold")
    form = LiftHoldForm(posted(request))
    errors: dict[str, str] = {}
    if form.is_bound:
        form.is_valid()
        try:
            services.lift_legal_hold(hold, by=request.user, reason=form.cleaned_data.get("lift_reason", ""))
        except DomainError as error:
            errors = _errors_of(error, "lift_reason")
        else:
            messages.success(request, "The legal hold has been lifted.")
            return redirect("retention:holds")
    return render_form_page(
        request,
        "retention/lift_hold.html",
        {
            "hold": hold,
            "facts": due.item_facts(hold.item_id) if hold.item_id else None,
            "values": form.data,
            "nav": "retention",
        },
        title="Lift a legal hold",
        errors=errors,
    )


@ig_leads_only
def schedules(request: SignedInRequest) -> HttpResponse:
    return render(
        request,
        "retention/schedules.html",
        {
            "rows": selectors.schedules_for(lead_agency_id(request)),
            "nav": "retention",
            "page_title": "Retention schedules",
        },
    )


def _category_row(request: SignedInRequest, category_code: str) -> tuple[Category, selectors.ScheduleRow]:
    category = Category.objects.filter(code=category_code).first()
    if category is None:
        raise Http404("No such category")
    row = next(r for r in selectors.schedules_for(lead_agency_id(request)) if r.category.pk == category.pk)
    return category, row


def _schedule_page(
    request: SignedInRequest,
    category: Category,
    row: selectors.ScheduleRow,
    values: Mapping[str, Any],
    errors: dict[str, str],
) -> HttpResponse:
    return render_form_page(
        request,
        "retention/edit_schedule.html",
        {
            "category": category,
            "row": row,
            "values": values,
            "units": PeriodUnit.choices,
            "triggers": Trigger.choices,
            "actions": ExpiryAction.choices,
            "nav": "retention",
        },
        title=f"Retention of {category.name.lower()}",
        errors=in_order(errors, SCHEDULE_FIELDS),
    )


@ig_leads_only
def edit_schedule(request: SignedInRequest, category_code: str) -> HttpResponse:
    """Set the agency's own schedule for a category (use_default_schedule goes back to the default)."""
    category, row = _category_row(request, category_code)
    current = row.applies
    form = ScheduleForm(
        posted(request),
        initial={
            "period": current.period if current else "",
            "unit": current.unit if current else "",
            "trigger": current.trigger if current else "",
            "action": current.action if current else "",
            "reasoning": row.own.reasoning if row.own else "",
        },
    )
    if not form.is_bound:
        return _schedule_page(request, category, row, form.initial, {})
    form.is_valid()
    try:
        services.set_agency_schedule(
            category, by=request.user, **{name: form.cleaned_data.get(name, "") for name in SCHEDULE_FIELDS}
        )
    except DomainError as error:
        return _schedule_page(request, category, row, form.data, _errors_of(error, "period"))
    messages.success(request, f"{category.name}: your agency's retention schedule is saved.")
    return redirect("retention:schedules")


@ig_leads_only
@require_POST
def use_default_schedule(request: SignedInRequest, category_code: str) -> HttpResponse:
    """Drop the agency's own schedule for a category: the partnership default applies again."""
    category, row = _category_row(request, category_code)
    try:
        services.use_partnership_default(category, by=request.user)
    except DomainError as error:
        return _schedule_page(request, category, row, {}, _errors_of(error, "period"))
    messages.success(request, f"{category.name}: your agency now follows the partnership default.")
    return redirect("retention:schedules")


def _held_facts(request: SignedInRequest, item_id: uuid.UUID) -> due.ItemFacts:
    facts = due.item_facts(item_id)
    if facts is None or facts.holding_agency_id != request.user.agency_id:
        raise Http404("No such item")
    return facts


def _restriction_page(
    request: SignedInRequest, facts: due.ItemFacts | None, values: Mapping[str, Any], errors: dict[str, str]
) -> HttpResponse:
    return render_form_page(
        request,
        "retention/restriction.html",
        {"facts": facts, "values": values, "nav": "retention"},
        title="Restrict information",
        errors=errors,
    )


@ig_leads_only
def restriction(request: SignedInRequest, item_id: uuid.UUID) -> HttpResponse:
    """Restrict an item the agency holds while its accuracy is disputed (lift_restriction lifts it)."""
    facts = _held_facts(request, item_id)
    form = RestrictForm(posted(request))
    if not form.is_bound:
        return _restriction_page(request, facts, form.data, {})
    form.is_valid()
    try:
        services.restrict_item(facts.item_id, by=request.user, reason=form.cleaned_data.get("reason", ""))
    except NotFound as error:
        raise Http404(error.message) from error
    except DomainError as error:
        return _restriction_page(
            request, due.item_facts(facts.item_id), form.data, _errors_of(error, "reason")
        )
    messages.success(
        request, "The information is restricted: only your agency's information-governance lead sees it."
    )
    return redirect("retention:restriction", facts.item_id)


@ig_leads_only
@require_POST
def lift_restriction(request: SignedInRequest, item_id: uuid.UUID) -> HttpResponse:
    """Lift an item's restriction once the dispute is settled."""
    facts = _held_facts(request, item_id)
    form = LiftRestrictionForm(request.POST)
    form.is_valid()
    try:
        services.lift_restriction(
            facts.item_id, by=request.user, reason=form.cleaned_data.get("lift_reason", "")
        )
    except NotFound as error:
        raise Http404(error.message) from error
    except DomainError as error:
        errors = _errors_of(error, "lift_reason")
        return _restriction_page(request, due.item_facts(facts.item_id), form.data, errors)
    messages.success(
        request, "The restriction is lifted: the information is shared under the protocols again."
    )
    return redirect("retention:restriction", facts.item_id)
