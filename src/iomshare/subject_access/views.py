"""Subject access request pages for information-governance leads (thin: services and selectors decide).

A request, and the person it names, exists only for IG leads of the agencies taking part who may see
the person; for anyone else every page answers 404 (or 403 for staff who are not IG leads).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from iomshare.errors import DomainError, NotFound
from iomshare.kit.form_pages import first_errors, render_form_page
from iomshare.kit.posted import posted
from iomshare.partnership.signed_in import SignedInRequest
from iomshare.people.selectors import person_profile
from iomshare.records import selectors as records
from iomshare.subject_access import selectors, services
from iomshare.subject_access.forms import (
    DecideItemForm,
    ExtendForm,
    IdentityCheckForm,
    NewRequestForm,
    ReleaseForm,
)
from iomshare.subject_access.letter import covering_letter
from iomshare.subject_access.models import Exemption, MadeBy, Outcome, RequestStatus, SubjectAccessRequest
from iomshare.subject_access.pdf import pack_pdf
from iomshare.web.govuk_date_field import typed_parts

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


def _page(
    request: HttpRequest, template: str, title: str, errors: dict[str, str] | None = None, **context: Any
) -> HttpResponse:
    return render_form_page(
        request, f"subject_access/{template}", {"nav": "governance", **context}, title=title, errors=errors
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
    form = NewRequestForm(posted(request))
    if form.is_bound:
        form.is_valid()
        errors = first_errors(form)
        try:
            sar = services.record_request(
                person,
                received_on=form.cleaned_data.get("received_on"),
                made_by=form.cleaned_data.get("made_by", ""),
                by=request.user,
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
        chosen=form.data.get("made_by", ""),
        dates={"received_on": typed_parts(form, "received_on")},
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
    form = IdentityCheckForm(posted(request))
    if form.is_bound:
        form.is_valid()
        errors = first_errors(form)
        try:
            services.record_identity_check(
                sar,
                checked_on=form.cleaned_data.get("checked_on"),
                method=form.cleaned_data.get("method", ""),
                by=request.user,
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
        dates={"checked_on": typed_parts(form, "checked_on")},
        method=form.data.get("method", ""),
    )


@login_required
def extend(request: SignedInRequest, request_id: int) -> HttpResponse:
    """Extend the deadline by up to two further months, with the reason (the coordinator)."""
    sar = _sar(request, request_id)
    if not selectors.is_coordinator(request.user, sar):
        raise PermissionDenied("Only the agency that received the request can extend its deadline.")
    errors: dict[str, str] = {}
    form = ExtendForm(posted(request))
    if form.is_bound:
        form.is_valid()
        try:
            services.extend_deadline(
                sar,
                months=form.cleaned_data.get("months"),
                reason=form.cleaned_data.get("reason", ""),
                by=request.user,
            )
        except DomainError as error:
            errors = error.field_errors or {"months": error.message}
        else:
            messages.success(
                request,
                f"The deadline is now {sar.due_on:%-d %B %Y}. Tell the person why, within the first month.",
            )
            return redirect("subject_access:detail", sar.pk)
    return _page(request, "extend.html", "Extend the deadline", errors, sar=sar, form=form.data)


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
    form = DecideItemForm(posted(request))
    shown: Mapping[str, Any] = form.data
    if form.is_bound:
        form.is_valid()
        try:
            services.decide_item(
                sar,
                item.pk,
                outcome=form.cleaned_data.get("outcome", ""),
                fields={name for name, _ in fields},
                exemption=form.cleaned_data.get("exemption", ""),
                exemption_named=form.cleaned_data.get("exemption_named", ""),
                redacted_fields=form.cleaned_data.get("redacted_fields") or [],
                note=form.cleaned_data.get("note", ""),
                by=request.user,
            )
        except DomainError as error:
            errors = error.field_errors or {"outcome": error.message}
        else:
            return redirect("subject_access:review", sar.pk)
    elif decision is not None:
        shown = {
            "outcome": decision.outcome,
            "exemption": decision.exemption,
            "exemption_named": decision.exemption_named if decision.exemption == Exemption.OTHER else "",
            "note": decision.note,
        }
    chosen_fields = (
        form["redacted_fields"].value() or []
        if form.is_bound
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
        form=shown,
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
    form = ReleaseForm(posted(request))
    if form.is_bound:
        form.is_valid()
        errors = first_errors(form)
        try:
            if not errors:
                services.release_pack(sar, sent_on=form.cleaned_data["sent_on"], by=request.user)
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
        dates={"sent_on": typed_parts(form, "sent_on")},
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
