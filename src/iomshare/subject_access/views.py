"""Subject access request pages for information-governance leads (thin: services and selectors decide).

A request, and the person it names, exists only for IG leads of the agencies taking part who may see
the person; for anyone else every page answers 404 (or 403 for staff who are not IG leads).
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from iomshare.errors import DomainError, NotFound
from iomshare.partnership.signed_in import SignedInRequest
from iomshare.people.selectors import person_profile
from iomshare.records import selectors as records
from iomshare.subject_access import selectors, services
from iomshare.subject_access.letter import covering_letter
from iomshare.subject_access.models import Exemption, MadeBy, Outcome, RequestStatus, SubjectAccessRequest
from iomshare.subject_access.pdf import pack_pdf
from iomshare.web.govuk_dates import DateInputError, parse_date_input

NOT_IG_LEAD = "Subject access requests are handled by information-governance leads."


def _ig_lead(request: SignedInRequest) -> None:
    if not services.is_ig_lead(request.user):
        raise PermissionDenied(NOT_IG_LEAD)


def _sar(request: SignedInRequest, request_id: int) -> SubjectAccessRequest:
    _ig_lead(request)
    try:
        return selectors.request_for(request.user, request_id)
    except NotFound:
        raise Http404("No such subject access request") from None


def _typed(request: SignedInRequest, *names: str) -> dict[str, dict[str, str]]:
    data = request.POST if request.method == "POST" else {}
    return {n: {p: data.get(f"{n}-{p}", "") for p in ("day", "month", "year")} for n in names}


def _date(request: SignedInRequest, name: str, label: str, errors: dict[str, str]):
    try:
        return parse_date_input(request.POST, name, label, required=True)
    except DateInputError as error:
        errors[name] = str(error)
        return None


def _page(
    request: HttpRequest, template: str, title: str, errors: dict | None = None, **context
) -> HttpResponse:
    errors = errors or {}
    return render(
        request,
        f"subject_access/{template}",
        {
            "errors": errors,
            "nav": "governance",
            "page_title": ("Error: " if errors else "") + title,
            **context,
        },
        status=400 if errors else 200,
    )


@login_required
def index(request: SignedInRequest) -> HttpResponse:
    """The requests the viewer's agency coordinates or holds information for."""
    _ig_lead(request)
    sars = list(selectors.requests_for(request.user))
    return _page(request, "index.html", "Subject access requests", sars=sars)


@login_required
def new(request: SignedInRequest, person_id: uuid.UUID) -> HttpResponse:
    """Record a request received by the viewer's agency."""
    _ig_lead(request)
    person = person_profile(person_id, request.user)
    if person is None:
        raise Http404("No such person")
    errors: dict[str, str] = {}
    if request.method == "POST":
        received_on = _date(request, "received_on", "the date the request was received", errors)
        try:
            sar = services.record_request(
                person, received_on=received_on, made_by=request.POST.get("made_by", ""), by=request.user
            )
        except DomainError as error:
            errors = {**errors, **error.field_errors} or {"received_on": error.message}
        if not errors:
            messages.success(
                request,
                f"Subject access request {sar.reference} is recorded. It is due by {sar.due_on:%-d %B %Y}.",
            )
            return redirect("subject_access:detail", sar.pk)
    return _page(
        request,
        "new.html",
        f"Record a subject access request – {person}",
        errors,
        person=person,
        made_by=MadeBy.choices,
        chosen=request.POST.get("made_by", ""),
        dates=_typed(request, "received_on"),
    )


@login_required
def detail(request: SignedInRequest, request_id: int) -> HttpResponse:
    """Where the request stands: deadline, identity check, each agency's part, the next step."""
    sar = _sar(request, request_id)
    return _page(
        request,
        "detail.html",
        f"{sar.reference} – {sar.person}",
        sar=sar,
        is_coordinator=selectors.is_coordinator(request.user, sar),
        part=selectors.own_part(request.user, sar),
        progress=selectors.progress(sar) if sar.is_identity_checked else [],
        days_left=selectors.days_left(sar),
        statuses=RequestStatus,
    )


@login_required
def identity(request: SignedInRequest, request_id: int) -> HttpResponse:
    """Record how and when the requester's identity was confirmed (the coordinator)."""
    sar = _sar(request, request_id)
    if not selectors.is_coordinator(request.user, sar):
        raise PermissionDenied("Only the agency that received the request checks the requester's identity.")
    errors: dict[str, str] = {}
    if request.method == "POST":
        checked_on = _date(request, "checked_on", "the date identity was confirmed", errors)
        try:
            services.record_identity_check(
                sar, checked_on=checked_on, method=request.POST.get("method", ""), by=request.user
            )
        except DomainError as error:
            errors = {**errors, **error.field_errors} or {"method": error.message}
        if not errors:
            messages.success(
                request,
                f"Identity is confirmed. Each holding agency has been asked to decide by {sar.due_on:%-d %B %Y}.",
            )
            return redirect("subject_access:detail", sar.pk)
    return _page(
        request,
        "identity.html",
        "Record the identity check",
        errors,
        sar=sar,
        dates=_typed(request, "checked_on"),
        method=request.POST.get("method", ""),
    )


@login_required
def extend(request: SignedInRequest, request_id: int) -> HttpResponse:
    """Extend the deadline by up to two further months, with the reason (the coordinator)."""
    sar = _sar(request, request_id)
    if not selectors.is_coordinator(request.user, sar):
        raise PermissionDenied("Only the agency that received the request can extend its deadline.")
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            months = int(request.POST.get("months", ""))
        except ValueError:
            months = None
        try:
            services.extend_deadline(
                sar, months=months, reason=request.POST.get("reason", ""), by=request.user
            )
        except DomainError as error:
            errors = error.field_errors or {"months": error.message}
        else:
            messages.success(
                request,
                f"The deadline is now {sar.due_on:%-d %B %Y}. Tell the person why, within the first month.",
            )
            return redirect("subject_access:detail", sar.pk)
    return _page(request, "extend.html", "Extend the deadline", errors, sar=sar, form=request.POST)


@login_required
def review(request: SignedInRequest, request_id: int) -> HttpResponse:
    """The viewer's own agency's items about the person, each with its decision; then confirm them."""
    sar = _sar(request, request_id)
    part = selectors.own_part(request.user, sar)
    if part is None or sar.status == RequestStatus.AWAITING_IDENTITY:
        raise Http404("Your agency has no part in this request yet")
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            services.confirm_response(sar, by=request.user)
        except DomainError as error:
            errors = error.field_errors or {"confirm": error.message}
        else:
            messages.success(
                request, f"{request.user.agency}'s response is confirmed and sent to the coordinator."
            )
            return redirect("subject_access:detail", sar.pk)
    items = records.subject_access_own_items(sar, by=request.user)
    decisions = selectors.decisions_by_item(part)
    rows = [(item, decisions.get(item.pk)) for item in items]
    return _page(
        request,
        "review.html",
        f"Check your agency's decisions – {sar.reference}",
        errors,
        sar=sar,
        part=part,
        rows=rows,
        undecided=sum(1 for _, d in rows if d is None),
    )


@login_required
def decide(request: SignedInRequest, request_id: int, item_id: uuid.UUID) -> HttpResponse:
    """Release, redact or withhold one of the viewer's agency's items."""
    sar = _sar(request, request_id)
    part = selectors.own_part(request.user, sar)
    if part is None or sar.status == RequestStatus.AWAITING_IDENTITY:
        raise Http404("Your agency has no part in this request yet")
    item = next((i for i in records.subject_access_own_items(sar, by=request.user) if i.pk == item_id), None)
    if item is None:
        raise Http404("Your agency holds no such item about this person")
    fields = records.item_fields(item)
    decision = selectors.decisions_by_item(part).get(item.pk)
    errors: dict[str, str] = {}
    form = request.POST if request.method == "POST" else {}
    if request.method == "POST":
        try:
            services.decide_item(
                sar,
                item.pk,
                outcome=request.POST.get("outcome", ""),
                fields={name for name, _ in fields},
                exemption=request.POST.get("exemption", ""),
                exemption_named=request.POST.get("exemption_named", ""),
                redacted_fields=request.POST.getlist("redacted_fields"),
                note=request.POST.get("note", ""),
                by=request.user,
            )
        except DomainError as error:
            errors = error.field_errors or {"outcome": error.message}
        else:
            return redirect("subject_access:review", sar.pk)
    elif decision is not None:
        form = {
            "outcome": decision.outcome,
            "exemption": decision.exemption,
            "exemption_named": decision.exemption_named if decision.exemption == Exemption.OTHER else "",
            "note": decision.note,
        }
    chosen_fields = (
        request.POST.getlist("redacted_fields")
        if request.method == "POST"
        else (decision.redacted_fields if decision else [])
    )
    return _page(
        request,
        "decide.html",
        f"Decide on an item – {sar.reference}",
        errors,
        sar=sar,
        item=item,
        fields=fields,
        form=form,
        chosen_fields=chosen_fields,
        outcomes=Outcome.choices,
        exemptions=Exemption.choices,
    )


@login_required
@require_POST
def assemble(request: SignedInRequest, request_id: int) -> HttpResponse:
    """Assemble the pack from what each controller released (the coordinator)."""
    sar = _sar(request, request_id)
    try:
        services.assemble_pack(sar, by=request.user)
    except DomainError as error:
        if error.status == 403:
            raise PermissionDenied(error.message) from None
        messages.error(request, error.message)
        return redirect("subject_access:detail", sar.pk)
    return redirect("subject_access:pack", sar.pk)


@login_required
def pack(request: SignedInRequest, request_id: int) -> HttpResponse:
    """Check the pack and covering letter before release; then record that it was sent."""
    sar = _sar(request, request_id)
    if not selectors.is_coordinator(request.user, sar):
        raise PermissionDenied("Only the agency that received the request assembles and releases the pack.")
    if sar.status not in (RequestStatus.ASSEMBLED, RequestStatus.RELEASED):
        raise Http404("The pack is not assembled yet")
    errors: dict[str, str] = {}
    if request.method == "POST":
        sent_on = _date(request, "sent_on", "the date the pack was sent", errors)
        try:
            if not errors:
                services.release_pack(sar, sent_on=sent_on, by=request.user)
        except DomainError as error:
            errors = error.field_errors or {"sent_on": error.message}
        if not errors:
            messages.success(request, f"The pack for {sar.reference} is recorded as released.")
            return redirect("subject_access:detail", sar.pk)
    assembled = selectors.pack_for(sar, by=request.user)
    return _page(
        request,
        "pack.html",
        f"Check the pack before release – {sar.reference}",
        errors,
        sar=sar,
        pack=assembled,
        letter=covering_letter(assembled),
        dates=_typed(request, "sent_on"),
    )


@login_required
def pack_download(request: SignedInRequest, request_id: int) -> HttpResponse:
    """The printable pack (PDF): the covering letter and every released record."""
    sar = _sar(request, request_id)
    if not selectors.is_coordinator(request.user, sar):
        raise PermissionDenied("Only the agency that received the request prints the pack.")
    if sar.status not in (RequestStatus.ASSEMBLED, RequestStatus.RELEASED):
        raise Http404("The pack is not assembled yet")
    response = HttpResponse(
        pack_pdf(selectors.pack_for(sar, by=request.user)), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="subject-access-{sar.reference}.pdf"'
    response["Cache-Control"] = "no-store"
    return response
