"""The IG queue pages: retention reviews and accuracy checks; filter, sort, and decide many at once (issue 20)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect

from iomshare.errors import DomainError
from iomshare.kit.form_pages import first_errors, render_form_page
from iomshare.kit.posted import in_order, posted
from iomshare.partnership.models import Role
from iomshare.partnership.signed_in import SignedInRequest
from iomshare.records.models import Category
from iomshare.retention import accuracy, bulk, due, selectors, services
from iomshare.retention.forms import AccuracyDecisionForm, RetainManyForm
from iomshare.retention.views import PAGE_SIZE, _errors_of, _not_permitted, ig_leads_only, lead_agency_id
from iomshare.web.govuk_date_field import typed_parts


@ig_leads_only
def review_queue(request: SignedInRequest) -> HttpResponse:
    """The queue, filtered and sorted; the chosen rows can be kept with one reason and date."""
    filters = bulk.filters_from(request.GET)
    form = RetainManyForm(posted(request))
    errors: dict[str, str] = {}
    if form.is_bound:
        errors = _retain_chosen(request, form)
        if not errors:
            return redirect(f"{request.path}?{request.GET.urlencode()}")
    page = Paginator(bulk.filtered_reviews(lead_agency_id(request), filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    reviews = list(page.object_list)
    holds = selectors.holds_by_target(reviews)
    rows = [(review, services.hold_explanation(holds[review.pk])) for review in reviews]
    return render_form_page(
        request,
        "retention/review_queue.html",
        {
            "page": page,
            "rows": rows,
            "filters": filters,
            **_filter_form(bulk.REVIEWS, request),
            "values": form.data,
            "chosen": set(form["reviews"].value() or []) if form.is_bound else set(),
            "retain": typed_parts(form, "retain_until"),
            "decided": selectors.decided_reviews(lead_agency_id(request)),
            "nav": "retention",
        },
        title="Information due for a retention decision",
        errors=errors,
    )


def _retain_chosen(request: SignedInRequest, form: RetainManyForm) -> dict[str, str]:
    """Keep the chosen reviews (all or none); the errors to show, or none when it was done."""
    form.is_valid()
    errors = first_errors(form)
    retain_until = form.cleaned_data.get("retain_until")
    try:
        kept = bulk.retain_many(
            form.cleaned_data.get("reviews") or [],
            by=request.user,
            reason=form.cleaned_data.get("reason", ""),
            retain_until=retain_until,
        )
    except DomainError as error:
        found = _errors_of(error, "reviews")
        return {k: v for k in ("reviews", "reason", "retain_until") if (v := errors.get(k) or found.get(k))}
    messages.success(
        request, f"{len(kept)} item{'s' if len(kept) != 1 else ''} kept until {retain_until:%-d %B %Y}."
    )
    return {}


def _filter_form(shape: bulk.QueueShape, request: SignedInRequest) -> dict[str, Any]:
    """What the shared filter form (retention/_queue_filters.html) needs, and the page's query string."""
    querystring = request.GET.copy()
    querystring.pop("page", None)
    return {
        "categories": Category.objects.order_by("name"),
        "due_choices": shape.due_choices,
        "sorts": shape.sort_labels,
        "querystring": querystring.urlencode(),
    }


ACCURACY_FIELDS = ("selected", "decision", "reason", "review_by")


@login_required
def stale_items(request: SignedInRequest) -> HttpResponse:
    """The holding agency's items past their accuracy review date: its staff check them, one by one
    or many at once with one decision and one reason."""
    viewer = request.user
    if viewer.agency_id is None or viewer.role not in {Role.IG_LEAD, Role.PRACTITIONER}:
        return _not_permitted(request)
    filters = accuracy.filters_from(request.GET)
    decisions = accuracy.decisions_for(viewer)
    form = AccuracyDecisionForm(posted(request), decisions=decisions)
    errors: dict[str, str] = {}
    if form.is_bound:
        errors = _decide_chosen(request, form)
        if not errors:
            return redirect(f"{request.path}?{request.GET.urlencode()}")
    page = Paginator(accuracy.filtered_items(viewer.agency_id, filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render_form_page(
        request,
        "retention/stale_items.html",
        {
            "page": page,
            "items": due.facts_of(page.object_list),
            "filters": filters,
            **_filter_form(accuracy.ACCURACY, request),
            "decisions": decisions,
            "values": form.data,
            "chosen": set(form["selected"].value() or []) if form.is_bound else set(),
            "review_by": typed_parts(form, "review_by"),
            "nav": "retention",
        },
        title="Information to check for accuracy",
        errors=errors,
    )


def _decide_chosen(request: SignedInRequest, form: AccuracyDecisionForm) -> dict[str, str]:
    """Decide the chosen items (all or none); the errors to show, in the page's order, or none."""
    errors = first_errors(form) if not form.is_valid() else {}
    decision = form.cleaned_data.get("decision", "")
    review_by = form.cleaned_data.get("review_by")
    chosen = form.cleaned_data.get("selected") or []
    done = 0
    try:
        if errors:
            # Still ask which items were chosen, so an empty choice is reported with the rest.
            accuracy.chosen_items(chosen)
        else:
            done = accuracy.decide_many(
                chosen,
                by=request.user,
                decision=decision,
                reason=form.cleaned_data["reason"],
                review_by=review_by,
            )
    except DomainError as error:
        errors = {**_errors_of(error, "selected"), **errors}
    if errors:
        return in_order(errors, ACCURACY_FIELDS)
    plural = "s" if done != 1 else ""
    if decision == accuracy.AccuracyDecision.ACCURATE:
        messages.success(
            request, f"{done} item{plural} checked: the next check is due by {review_by:%-d %B %Y}."
        )
    else:
        messages.success(
            request,
            f"{done} item{plural} restricted: only your agency's information-governance lead sees them.",
        )
    return {}
