"""The IG queue pages: retention reviews and accuracy checks; filter, sort, and decide many at once (issue 20)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from iomshare.errors import DomainError
from iomshare.partnership.models import Role
from iomshare.records.models import Category
from iomshare.retention import accuracy, bulk, due, selectors, services
from iomshare.retention.forms import AccuracyDecisionForm
from iomshare.retention.views import PAGE_SIZE, _errors_of, _not_permitted, _title, ig_leads_only
from iomshare.web.govuk_dates import DateInputError, parse_date_input


@ig_leads_only
def review_queue(request: HttpRequest) -> HttpResponse:
    """The queue, filtered and sorted; the chosen rows can be kept with one reason and date."""
    filters = bulk.filters_from(request.GET)
    errors: dict[str, str] = {}
    if request.method == "POST":
        errors = _retain_chosen(request)
        if not errors:
            return redirect(f"{request.path}?{request.GET.urlencode()}")
    page = Paginator(bulk.filtered_reviews(request.user.agency_id, filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    reviews = list(page.object_list)
    holds = selectors.holds_by_target(reviews)
    rows = [(review, services.hold_explanation(holds[review.pk])) for review in reviews]
    values = request.POST if request.method == "POST" else {}
    return render(
        request,
        "retention/review_queue.html",
        {
            "page": page,
            "rows": rows,
            "filters": filters,
            **_filter_form(bulk.REVIEWS, request),
            "errors": errors,
            "values": values,
            "chosen": set(values.getlist("reviews")) if values else set(),
            "retain": {part: values.get(f"retain_until-{part}", "") for part in ("day", "month", "year")},
            "decided": selectors.decided_reviews(request.user.agency_id),
            "nav": "retention",
            "page_title": _title("Information due for a retention decision", errors),
        },
        status=400 if errors else 200,
    )


def _retain_chosen(request: HttpRequest) -> dict[str, str]:
    """Keep the chosen reviews (all or none); the errors to show, or none when it was done."""
    errors: dict[str, str] = {}
    try:
        retain_until = parse_date_input(
            request.POST, "retain_until", "the date to review the information again", required=True
        )
    except DateInputError as error:
        retain_until = None
        errors["retain_until"] = str(error)
    try:
        kept = bulk.retain_many(
            request.POST.getlist("reviews"),
            by=request.user,
            reason=request.POST.get("reason", ""),
            retain_until=retain_until,
        )
    except DomainError as error:
        found = _errors_of(error, "reviews")
        return {k: v for k in ("reviews", "reason", "retain_until") if (v := errors.get(k) or found.get(k))}
    messages.success(
        request, f"{len(kept)} item{'s' if len(kept) != 1 else ''} kept until {retain_until:%-d %B %Y}."
    )
    return {}


def _filter_form(shape: bulk.QueueShape, request: HttpRequest) -> dict:
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
def stale_items(request: HttpRequest) -> HttpResponse:
    """The holding agency's items past their accuracy review date: its staff check them, one by one
    or many at once with one decision and one reason."""
    viewer = request.user
    if viewer.agency_id is None or viewer.role not in {Role.IG_LEAD, Role.PRACTITIONER}:
        return _not_permitted(request)
    filters = accuracy.filters_from(request.GET)
    decisions = accuracy.decisions_for(viewer)
    errors: dict[str, str] = {}
    if request.method == "POST":
        errors = _decide_chosen(request, AccuracyDecisionForm(request.POST, decisions=decisions))
        if not errors:
            return redirect(f"{request.path}?{request.GET.urlencode()}")
    page = Paginator(accuracy.filtered_items(viewer.agency_id, filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    values = request.POST if request.method == "POST" else {}
    return render(
        request,
        "retention/stale_items.html",
        {
            "page": page,
            "items": due.facts_of(page.object_list),
            "filters": filters,
            **_filter_form(accuracy.ACCURACY, request),
            "decisions": decisions,
            "errors": errors,
            "values": values,
            "chosen": set(values.getlist("selected")) if values else set(),
            "review_by": {part: values.get(f"review_by-{part}", "") for part in ("day", "month", "year")},
            "nav": "retention",
            "page_title": _title("Information to check for accuracy", errors),
        },
        status=400 if errors else 200,
    )


def _decide_chosen(request: HttpRequest, form: AccuracyDecisionForm) -> dict[str, str]:
    """Decide the chosen items (all or none); the errors to show, in the page's order, or none."""
    errors = (
        {name: str(messages_[0]) for name, messages_ in form.errors.items()} if not form.is_valid() else {}
    )
    decision = form.cleaned_data.get("decision", "")
    review_by = None
    if decision == accuracy.AccuracyDecision.ACCURATE:
        try:
            review_by = parse_date_input(
                request.POST, "review_by", "the date to check the information again", required=True
            )
        except DateInputError as error:
            errors["review_by"] = str(error)
    try:
        if errors:
            # Still ask which items were chosen, so an empty choice is reported with the rest.
            accuracy.chosen_items(request.POST.getlist("selected"))
        else:
            done = accuracy.decide_many(
                request.POST.getlist("selected"),
                by=request.user,
                decision=decision,
                reason=form.cleaned_data["reason"],
                review_by=review_by,
            )
    except DomainError as error:
        errors = {**_errors_of(error, "selected"), **errors}
    if errors:
        return {name: errors[name] for name in ACCURACY_FIELDS if name in errors} | {
            name: message for name, message in errors.items() if name not in ACCURACY_FIELDS
        }
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
