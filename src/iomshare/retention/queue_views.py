"""The retention review queue page: filter, sort, and keep many items with one decision (issue 20)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from iomshare.errors import DomainError
from iomshare.records.models import Category
from iomshare.retention import bulk, selectors, services
from iomshare.retention.views import PAGE_SIZE, _errors_of, _title, ig_leads_only
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
    querystring = request.GET.copy()
    querystring.pop("page", None)
    values = request.POST if request.method == "POST" else {}
    return render(
        request,
        "retention/review_queue.html",
        {
            "page": page,
            "rows": rows,
            "filters": filters,
            "categories": Category.objects.order_by("name"),
            "due_choices": bulk.DUE_CHOICES,
            "sorts": {key: label for key, (label, _order) in bulk.SORTS.items()},
            "querystring": querystring.urlencode(),
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
