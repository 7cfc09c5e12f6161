"""Pages for requests for information: ask, my requests, the IG lead's queue and decision, the gap report.

Thin: each change is a service call; each read a selector. Item content is read only through
records.selectors (candidates.py).
"""

from __future__ import annotations

import csv
import datetime as dt
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from iomshare.errors import DomainError
from iomshare.exchange import csv_safety
from iomshare.information_requests import selectors, services
from iomshare.information_requests.candidates import candidate_items
from iomshare.information_requests.charts import bar_chart
from iomshare.information_requests.forms import (
    ApproveForm,
    NewRequestForm,
    RefuseForm,
    WithdrawForm,
)
from iomshare.information_requests.models import InformationRequest, RequestStatus, Urgency
from iomshare.kit.form_pages import first_errors, render_form_page
from iomshare.partnership.models import Agency, Role
from iomshare.partnership.signed_in import SignedInRequest
from iomshare.people.selectors import person_profile
from iomshare.protocols.decisions import access_grid
from iomshare.protocols.models import LegalGateway, Purpose
from iomshare.protocols.selectors import SuggestedGateways, gateways_for
from iomshare.records.models import Category
from iomshare.web.govuk_dates import DateInputError, parse_date_input

NEW_FIELDS = ["holding_agency", "category", "purpose", "legal_gateway", "justification", "urgency"]
DECISION_FIELDS = ["decision", "item_ids", "expires_on", "reason", "withdraw_reason"]
CHART_ROWS = 15


def _ordered(errors: dict[str, str], order: list[str]) -> dict[str, str]:
    """Errors in the order the fields appear on the page, so the summary reads top to bottom."""
    return {
        **{f: errors[f] for f in order if f in errors},
        **{f: m for f, m in errors.items() if f not in order},
    }


def _not_permitted(request: SignedInRequest, message: str) -> HttpResponse:
    return render(
        request,
        "information_requests/not_permitted.html",
        {"message": message, "nav": "requests", "page_title": "You cannot do this"},
        status=403,
    )


def _person_or_404(value: str, viewer):
    try:
        person_id = uuid.UUID(value)
    except (TypeError, ValueError):
        raise Http404("Start a request from the person's page.") from None
    person = person_profile(person_id, viewer)
    if person is None:
        raise Http404("No such person")
    return person


def _what_the_decision_says(viewer, values) -> str:
    """Why the viewer cannot already see what they are about to ask for, in the decision's own words."""
    agency = Agency.objects.filter(code=values.get("holding_agency", "")).first()
    purpose = values.get("purpose", "")
    category = values.get("category", "")
    if agency is None or not purpose or not category or agency.pk == viewer.agency_id:
        return ""
    try:
        grid = access_grid(viewer, purpose)
    except DomainError:
        return ""
    refusal = grid.refusals.get((agency.pk, category))
    return refusal.message if refusal else ""


def _suggested_gateways(viewer, values) -> SuggestedGateways:
    """The gateways the protocols for this purpose between the two agencies rely on."""
    agency = Agency.objects.filter(code=values.get("holding_agency", "")).first()
    if not values.get("purpose") or agency is None or viewer.agency_id is None:
        return SuggestedGateways(gateways=[], protocol_titles=[])
    return gateways_for(values["purpose"], [agency.pk, viewer.agency_id])


@login_required
def new_request(request: SignedInRequest) -> HttpResponse:
    """Ask a holding agency for withheld information: pre-filled from the person page's withheld panel."""
    errors: dict[str, str] = {}
    values: Mapping[str, Any]
    if request.method == "POST":
        form = NewRequestForm(request.POST)
        form.is_valid()
        person = _person_or_404(form.cleaned_data.get("person", ""), request.user)
        values = form.data
        if form.errors:
            errors = first_errors(form)
        else:
            try:
                made = services.make_request(
                    by=request.user,
                    person=person,
                    holding_agency=form.cleaned_data["holding_agency"],
                    category=form.cleaned_data["category"],
                    purpose=form.cleaned_data["purpose"],
                    legal_gateway=form.cleaned_data["legal_gateway"],
                    justification=form.cleaned_data["justification"],
                    urgency=form.cleaned_data["urgency"],
                )
            except DomainError as error:
                errors = error.field_errors or {"holding_agency": error.message}
            else:
                messages.success(
                    request,
                    f"Request {made.number} is sent to {made.holding_agency.name}'s information-governance lead.",
                )
                return redirect("information_requests:detail", made.pk)
    else:
        person = _person_or_404(request.GET.get("person", ""), request.user)
        values = {
            "holding_agency": request.GET.get("agency", ""),
            "category": request.GET.get("category", ""),
            "purpose": request.GET.get("purpose", ""),
            "urgency": Urgency.ROUTINE,
        }
    suggested = _suggested_gateways(request.user, values)
    if request.method != "POST" and suggested.gateways:
        values = {**values, "legal_gateway": suggested.gateways[0].code}
    return render_form_page(
        request,
        "information_requests/new.html",
        {
            "person": person,
            "values": values,
            "decision_says": _what_the_decision_says(request.user, values),
            "agencies": Agency.objects.exclude(pk__in=[request.user.agency_id]),
            "categories": Category.objects.all(),
            "purposes": Purpose.objects.order_by("name"),
            "gateways": LegalGateway.objects.order_by("title"),
            "suggested": suggested,
            "urgencies": Urgency.choices,
            "min_justification": services.MIN_JUSTIFICATION,
            "nav": "requests",
        },
        title=f"Ask for information about {person.full_name}",
        errors=_ordered(errors, NEW_FIELDS),
    )


@login_required
def my_requests(request: SignedInRequest) -> HttpResponse:
    return render(
        request,
        "information_requests/mine.html",
        {
            "requests": selectors.requests_made_by(request.user),
            "is_ig_lead": request.user.role == Role.IG_LEAD,
            "may_see_gap_report": request.user.role in selectors.GAP_REPORT_ROLES,
            "nav": "requests",
            "page_title": "My requests for information",
        },
    )


@login_required
def queue(request: SignedInRequest) -> HttpResponse:
    """Requests to the IG lead's own agency, awaiting a decision first."""
    if request.user.role != Role.IG_LEAD:
        return _not_permitted(
            request, "Only an information-governance lead answers requests for information."
        )
    agency = request.user.agency
    return render(
        request,
        "information_requests/queue.html",
        {
            "requests": selectors.queue_for(request.user),
            "nav": "requests",
            "page_title": f"Requests to {agency.name if agency else 'your agency'}",
        },
    )


def _expiry_parts(day: dt.date) -> dict[str, str]:
    return {"day": str(day.day), "month": str(day.month), "year": str(day.year)}


def _detail_page(
    request: SignedInRequest,
    information_request: InformationRequest,
    *,
    errors: dict[str, str] | None = None,
    chosen: list[str] | None = None,
    expiry: dict[str, str] | None = None,
) -> HttpResponse:
    may_decide = selectors.may_decide(request.user, information_request)
    awaiting = information_request.status == RequestStatus.AWAITING_DECISION
    default_expiry = timezone.localdate() + dt.timedelta(days=services.DEFAULT_APPROVAL_DAYS)
    return render_form_page(
        request,
        "information_requests/detail.html",
        {
            "information_request": information_request,
            "may_decide": may_decide and awaiting,
            "may_withdraw": may_decide and information_request.status == RequestStatus.APPROVED,
            "is_requester": information_request.requested_by_id == request.user.pk,
            "candidates": candidate_items(information_request, by=request.user)
            if may_decide and awaiting
            else [],
            "approved_count": information_request.approved_items.count(),
            "chosen": chosen or [],
            "expiry": expiry or _expiry_parts(default_expiry),
            "expiry_hint": f"The last day the requester can see the items, at most a year from today. "
            f"{services.DEFAULT_APPROVAL_DAYS} days is usual.",
            "nav": "requests",
        },
        title=f"Request {information_request.number}",
        errors=_ordered(errors or {}, DECISION_FIELDS),
    )


def _request_or_404(request: SignedInRequest, request_id: int) -> InformationRequest:
    information_request = selectors.request_for(request.user, request_id)
    if information_request is None:
        raise Http404("No such request")
    return information_request


@login_required
@require_GET
def request_detail(request: SignedInRequest, request_id: int) -> HttpResponse:
    """A request: its status for the requester; the decision for the holding agency's IG lead.

    Each decision posts to its own page (approve, refuse, withdraw)."""
    return _detail_page(request, _request_or_404(request, request_id))


def _decided(
    request: SignedInRequest,
    request_id: int,
    decide: Callable[[InformationRequest], str],
    **page: Any,
) -> HttpResponse:
    """Apply `decide` (a service call returning what to tell the IG lead), then back to the request;
    a refusal of the service is shown on the request's page, the fields it names marked."""
    information_request = _request_or_404(request, request_id)
    try:
        done = decide(information_request)
    except DomainError as error:
        if error.status == 403:
            return _not_permitted(request, error.message)
        return _detail_page(
            request,
            _request_or_404(request, request_id),
            errors=error.field_errors or {"decision": error.message},
            **page,
        )
    messages.success(request, done)
    return redirect("information_requests:detail", information_request.pk)


@login_required
@require_POST
def approve(request: SignedInRequest, request_id: int) -> HttpResponse:
    """Disclose the chosen items to the requester until the date given."""
    form = ApproveForm(request.POST)
    form.is_valid()

    def decide(information_request: InformationRequest) -> str:
        try:
            services.approve_request(
                information_request,
                by=request.user,
                item_ids=form.cleaned_data["item_ids"],
                expires_on=form.expires_on,
                note=form.cleaned_data["note"],
            )
        except DomainError as error:
            if form.date_error and "expires_on" in error.field_errors:
                error.field_errors["expires_on"] = form.date_error
            raise
        return "The request is approved: the requester is told, and sees the items you chose."

    return _decided(
        request, request_id, decide, chosen=form.cleaned_data["item_ids"], expiry=form.date_parts()
    )


@login_required
@require_POST
def refuse(request: SignedInRequest, request_id: int) -> HttpResponse:
    """Refuse the request, with the reason the requester reads."""
    form = RefuseForm(request.POST)
    form.is_valid()

    def decide(information_request: InformationRequest) -> str:
        services.refuse_request(information_request, by=request.user, reason=form.cleaned_data["reason"])
        return "The request is refused: the requester is told why."

    return _decided(request, request_id, decide)


@login_required
@require_POST
def withdraw(request: SignedInRequest, request_id: int) -> HttpResponse:
    """Stop an approved disclosure before it ends."""
    form = WithdrawForm(request.POST)
    form.is_valid()

    def decide(information_request: InformationRequest) -> str:
        services.withdraw_approval(
            information_request, by=request.user, reason=form.cleaned_data["withdraw_reason"]
        )
        return "The approval is withdrawn: the requester no longer sees the items."

    return _decided(request, request_id, decide)


# --- the gap report ------------------------------------------------------------------------------


def _report_dates(request: SignedInRequest) -> tuple[dt.date | None, dt.date | None, dict[str, str]]:
    errors: dict[str, str] = {}
    dates: dict[str, dt.date | None] = {"start": None, "end": None}
    for name, label in (("start", "the first day"), ("end", "the last day")):
        try:
            dates[name] = parse_date_input(request.GET, name, label, required=False)
        except DateInputError as error:
            errors[name] = str(error)
    if not errors and dates["start"] and dates["end"] and dates["end"] < dates["start"]:
        errors["end"] = "The last day must be the same as or after the first day"
    return dates["start"], dates["end"], errors


def _gap_report_refused(request: SignedInRequest) -> HttpResponse | None:
    if request.user.role in selectors.GAP_REPORT_ROLES:
        return None
    return _not_permitted(
        request, "Only information-governance leads and the partnership manager can see the gap report."
    )


@login_required
def gap_report(request: SignedInRequest) -> HttpResponse:
    """What practitioners needed that no protocol provides: the evidence for a new protocol clause."""
    if refused := _gap_report_refused(request):
        return refused
    start, end, errors = _report_dates(request)
    rows = [] if errors else selectors.gap_report(start=start, end=end)
    return render_form_page(
        request,
        "information_requests/gap_report.html",
        {
            "rows": rows,
            "chart": bar_chart(
                [(row.label, row.requests) for row in rows[:CHART_ROWS]],
                title="Requests no protocol provides for, most needed first",
            ),
            "chart_rows": min(len(rows), CHART_ROWS),
            "total": sum(row.requests for row in rows),
            "start": start,
            "end": end,
            "dates": {
                name: {part: request.GET.get(f"{name}-{part}", "") for part in ("day", "month", "year")}
                for name in ("start", "end")
            },
            "querystring": request.GET.urlencode(),
            "nav": "requests",
        },
        title="Gap report: needs no protocol provides",
        errors=_ordered(errors, ["start", "end"]),
    )


GAP_COLUMNS = [
    "purpose_code",
    "purpose",
    "category_code",
    "category",
    "requesting_agency_code",
    "requesting_agency",
    "holding_agency_code",
    "holding_agency",
    "requests",
    "not_covered_by_any_protocol",
    "refused",
]


@login_required
def gap_report_csv(request: SignedInRequest) -> HttpResponse:
    """The gap report as CSV, every cell safe to open in a spreadsheet (exchange.csv_safety)."""
    if refused := _gap_report_refused(request):
        return refused
    start, end, errors = _report_dates(request)
    if errors:
        return gap_report(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    suffix = f"-{start or 'start'}-to-{end or 'today'}" if start or end else ""
    response["Content-Disposition"] = f'attachment; filename="gap-report{suffix}.csv"'
    writer = csv.writer(response)
    writer.writerow(GAP_COLUMNS)
    for row in selectors.gap_report(start=start, end=end):
        writer.writerow(
            csv_safety.safe_row(
                [
                    row.purpose_code,
                    row.purpose,
                    row.category_code,
                    row.category,
                    row.requesting_agency_code,
                    row.requesting_agency,
                    row.holding_agency_code,
                    row.holding_agency,
                    row.requests,
                    row.not_covered,
                    row.refused,
                ]
            )
        )
    return response
