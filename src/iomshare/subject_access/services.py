"""Business actions on a subject access request; each checks who may act and is on the ledger.

Receipt, identity check, extension, each controller's decisions and their confirmation, assembly
and release: every step is a subject_access ledger entry naming the request and the step.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from iomshare.alerts.services import notify
from iomshare.errors import InvalidInput, NotFound, NotPermitted
from iomshare.ledger import services as ledger
from iomshare.ledger.models import Action
from iomshare.partnership.models import Role, StaffMember
from iomshare.people.access_lists import may_see_person
from iomshare.people.models import Person
from iomshare.records import selectors as records
from iomshare.subject_access import deadlines
from iomshare.subject_access.models import (
    ControllerResponse,
    Exemption,
    ItemDecision,
    MadeBy,
    Outcome,
    RequestStatus,
    SubjectAccessRequest,
)

MAX_TEXT = 2000


def is_ig_lead(staff: StaffMember) -> bool:
    return (
        staff.is_authenticated
        and staff.role == Role.IG_LEAD
        and not staff.is_volunteer
        and staff.agency_id is not None
    )


def _record(request: SubjectAccessRequest, step: str, *, by: StaffMember, **details: Any) -> None:
    ledger.record(
        Action.SUBJECT_ACCESS,
        by=by,
        person=request.person_id,
        details={"request": request.reference, "step": step, **details},
    )


def _text(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(message, field_errors={field: message})
    if len(value) > MAX_TEXT:
        raise InvalidInput(
            f"{field} is too long.", field_errors={field: f"Use {MAX_TEXT} characters or fewer"}
        )
    return value


def _check_coordinator(request: SubjectAccessRequest, by: StaffMember) -> None:
    if not is_ig_lead(by) or by.agency_id != request.coordinating_agency_id:
        raise NotPermitted(
            "Only an information-governance lead of the agency that received the request can do this."
        )


@transaction.atomic
def record_request(
    person: Person, *, received_on: dt.date | None, made_by: str, by: StaffMember
) -> SubjectAccessRequest:
    """Record a request received by `by`'s agency, which coordinates it; due one month from receipt."""
    if not is_ig_lead(by):
        raise NotPermitted("Only an information-governance lead can record a subject access request.")
    if not may_see_person(by, person.pk):
        raise NotFound("There is no such person that you may see.")
    errors = {}
    if received_on is None:
        errors["received_on"] = "Enter the date the request was received"
    elif received_on > timezone.localdate():
        errors["received_on"] = "The date the request was received must be today or in the past"
    if made_by not in MadeBy.values:
        errors["made_by"] = "Select who made the request"
    if errors:
        raise InvalidInput("The request was not recorded: correct the problems listed.", field_errors=errors)
    assert received_on is not None
    assert by.agency_id is not None  # is_ig_lead, checked above
    request = SubjectAccessRequest.objects.create(
        person=person,
        coordinating_agency_id=by.agency_id,
        made_by=made_by,
        received_on=received_on,
        due_on=deadlines.due_on(received_on),
        recorded_by=by,
    )
    _record(
        request, "received", by=by, received_on=received_on.isoformat(), due_on=request.due_on.isoformat()
    )
    return request


@transaction.atomic
def record_identity_check(
    request: SubjectAccessRequest, *, checked_on: dt.date | None, method: str, by: StaffMember
) -> SubjectAccessRequest:
    """Record that the requester's identity is proved; the request goes to every holding agency.

    The month runs from the later of receipt and proof of identity (ICO guidance).
    """
    _check_coordinator(request, by)
    if request.status != RequestStatus.AWAITING_IDENTITY:
        raise InvalidInput("The identity check for this request is already recorded.")
    errors = {}
    if checked_on is None:
        errors["checked_on"] = "Enter the date identity was confirmed"
    elif checked_on < request.received_on or checked_on > timezone.localdate():
        errors["checked_on"] = "The date identity was confirmed must be between receipt and today"
    try:
        method = _text(
            method, "method", "Say how identity was checked, for example which documents were seen"
        )
    except InvalidInput as error:
        errors |= error.field_errors
    if errors:
        raise InvalidInput(
            "The identity check was not recorded: correct the problems listed.", field_errors=errors
        )
    assert checked_on is not None
    request.identity_checked_on = checked_on
    request.identity_checked_by = by
    request.identity_check_method = method
    request.due_on = deadlines.due_on(
        request.received_on, identity_proved_on=checked_on, extension_months=request.extension_months
    )
    request.status = RequestStatus.WITH_CONTROLLERS
    request.save()
    agencies = records.subject_access_holding_agency_ids(request.person_id) | {request.coordinating_agency_id}
    ControllerResponse.objects.bulk_create(ControllerResponse(request=request, agency_id=a) for a in agencies)
    _record(request, "identity_checked", by=by, checked_on=checked_on.isoformat(), method=method)
    leads = StaffMember.objects.filter(
        agency_id__in=agencies, role=Role.IG_LEAD, is_active=True, is_volunteer=False
    ).exclude(pk=by.pk)
    notify(
        [lead for lead in leads if may_see_person(lead, request.person_id)],
        message=f"Subject access request {request.reference} needs your agency's decisions by "
        f"{request.due_on:%-d %B %Y}.",
        link=reverse("subject_access:detail", args=[request.pk]),
        reason="subject access request: controller decision needed",
        person=request.person_id,
        by=by,
    )
    return request


@transaction.atomic
def extend_deadline(
    request: SubjectAccessRequest, *, months: int | None, reason: str, by: StaffMember
) -> SubjectAccessRequest:
    """Extend by up to two further months in all, for a complex request, with the reason."""
    _check_coordinator(request, by)
    if request.status == RequestStatus.RELEASED:
        raise InvalidInput("The pack is already released, so the deadline cannot change.")
    errors = {}
    if months not in (1, 2) or request.extension_months + (months or 0) > deadlines.MAX_EXTENSION_MONTHS:
        left = deadlines.MAX_EXTENSION_MONTHS - request.extension_months
        errors["months"] = (
            f"Choose 1{' or 2' if left == 2 else ''} month{'s' if left == 2 else ''}: a request may be "
            "extended by two months at most"
            if left
            else "This request has already been extended by the two months the law allows"
        )
    if timezone.localdate() > request.due_on:
        errors["months"] = "The deadline has passed: an extension must be made before it"
    try:
        reason = _text(reason, "reason", "Enter why the request needs longer, for example why it is complex")
    except InvalidInput as error:
        errors |= error.field_errors
    if errors:
        raise InvalidInput("The deadline was not extended: correct the problems listed.", field_errors=errors)
    assert months is not None
    request.extension_months += months
    request.extension_reason = "\n".join(filter(None, [request.extension_reason, reason]))
    request.due_on = deadlines.due_on(
        request.received_on,
        identity_proved_on=request.identity_checked_on,
        extension_months=request.extension_months,
    )
    request.save()
    _record(request, "extended", by=by, months=months, reason=reason, due_on=request.due_on.isoformat())
    return request


def _open_part(request: SubjectAccessRequest, by: StaffMember) -> ControllerResponse:
    if not is_ig_lead(by) or by.agency_id is None:  # is_ig_lead checks the agency; this tells mypy
        raise NotPermitted("Only an information-governance lead can decide what their agency releases.")
    part = ControllerResponse.objects.filter(request=request, agency_id=by.agency_id).first()
    if part is None or not may_see_person(by, request.person_id):
        raise NotFound("There is no such subject access request that you may see.")
    if request.status != RequestStatus.WITH_CONTROLLERS:
        raise InvalidInput("Decisions can be made only while the request is with the holding agencies.")
    if part.is_complete:
        raise InvalidInput("Your agency's response is already confirmed, so its decisions cannot change.")
    return part


def _decision_errors(
    outcome: str, exemption: str, exemption_named: str, redacted: list[str], fields: set[str]
) -> dict:
    errors: dict[str, str] = {}
    if outcome not in Outcome.values:
        errors["outcome"] = "Select whether to release, redact or withhold this item"
    elif outcome == Outcome.EXEMPT:
        if exemption not in Exemption.values:
            errors["exemption"] = "Select the exemption that applies"
        elif exemption == Exemption.OTHER and not exemption_named.strip():
            errors["exemption_named"] = "Name the exemption, with its section or paragraph"
    elif outcome == Outcome.REDACT:
        if not redacted:
            errors["redacted_fields"] = "Select the parts to redact"
        elif set(redacted) - fields:
            errors["redacted_fields"] = "Select only parts this item has"
        elif exemption not in Exemption.values:
            errors["exemption"] = "Select the exemption that allows the redaction"
        elif exemption == Exemption.OTHER and not exemption_named.strip():
            errors["exemption_named"] = "Name the exemption, with its section or paragraph"
    return errors


@transaction.atomic
def decide_item(  # noqa: PLR0913 (the decision's fields, each a keyword named at every call)
    request: SubjectAccessRequest,
    item_id: uuid.UUID,
    *,
    outcome: str,
    fields: set[str],
    exemption: str = "",
    exemption_named: str = "",
    redacted_fields: list[str] | None = None,
    note: str = "",
    by: StaffMember,
) -> ItemDecision:
    """A controller's decision on one of its own items: release, redact named parts, or exempt.

    `fields` are the parts the item has (records.selectors.item_fields); the caller read them through
    the door. An item of another agency is refused as if it did not exist.
    """
    part = _open_part(request, by)
    if item_id not in records.subject_access_item_ids(request, part.agency_id):
        raise NotFound("Your agency holds no such item about this person.")
    redacted = sorted(set(redacted_fields or [])) if outcome == Outcome.REDACT else []
    errors = _decision_errors(outcome, exemption, exemption_named, redacted, fields)
    if errors:
        raise InvalidInput("The decision was not recorded: correct the problems listed.", field_errors=errors)
    if outcome == Outcome.RELEASE:
        exemption = exemption_named = ""
    named = (
        exemption_named.strip()[:300]
        if exemption == Exemption.OTHER
        else Exemption(exemption).label
        if exemption
        else ""
    )
    decision, _ = ItemDecision.objects.update_or_create(
        response=part,
        item_id=item_id,
        defaults={
            "outcome": outcome,
            "exemption": exemption,
            "exemption_named": named,
            "redacted_fields": redacted,
            "note": (note or "").strip()[:MAX_TEXT],
            "decided_by": by,
            "decided_at": timezone.now(),
        },
    )
    ledger.record(
        Action.SUBJECT_ACCESS,
        by=by,
        person=request.person_id,
        items=[item_id],
        details={
            "request": request.reference,
            "step": "item_decided",
            "outcome": outcome,
            "exemption": named,
            "redacted_fields": redacted,
        },
    )
    return decision


@transaction.atomic
def confirm_response(request: SubjectAccessRequest, *, by: StaffMember) -> ControllerResponse:
    """Confirm `by`'s agency's decisions: every item it holds about the person must have one."""
    part = _open_part(request, by)
    held = records.subject_access_item_ids(request, part.agency_id)
    decided = set(part.decisions.values_list("item_id", flat=True))
    if held - decided:
        missing = len(held - decided)
        raise InvalidInput(
            f"{missing} item{'s' if missing != 1 else ''} still need{'s' if missing == 1 else ''} a decision.",
            field_errors={"confirm": f"Decide on every item first: {missing} still to decide"},
        )
    part.completed_by = by
    part.completed_at = timezone.now()
    part.save(update_fields=["completed_by", "completed_at"])
    released = part.decisions.filter(item_id__in=held, outcome__in=[Outcome.RELEASE, Outcome.REDACT]).count()
    assert by.agency is not None  # _open_part admitted an IG lead of an agency
    _record(request, "response_confirmed", by=by, agency=by.agency.code, released=released, held=len(held))
    if request.coordinating_agency_id != part.agency_id:
        notify(
            StaffMember.objects.filter(
                agency_id=request.coordinating_agency_id,
                role=Role.IG_LEAD,
                is_active=True,
                is_volunteer=False,
            ),
            message=f"{by.agency} has confirmed its response to subject access request {request.reference}.",
            link=reverse("subject_access:detail", args=[request.pk]),
            reason="subject access request: controller response confirmed",
            person=request.person_id,
            by=by,
        )
    return part


@transaction.atomic
def assemble_pack(request: SubjectAccessRequest, *, by: StaffMember) -> SubjectAccessRequest:
    """Assemble the pack once every holding agency has confirmed its response (the coordinator)."""
    _check_coordinator(request, by)
    if request.status != RequestStatus.WITH_CONTROLLERS:
        raise InvalidInput("The pack can be assembled only once, after every agency has responded.")
    waiting = [r.agency.name for r in request.responses.select_related("agency") if not r.is_complete]
    if waiting:
        raise InvalidInput(
            "Every holding agency must confirm its response first.",
            field_errors={"assemble": "Still waiting for " + ", ".join(waiting)},
        )
    request.status = RequestStatus.ASSEMBLED
    request.assembled_by = by
    request.assembled_at = timezone.now()
    request.save(update_fields=["status", "assembled_by", "assembled_at"])
    released = list(
        ItemDecision.objects.filter(
            response__request=request, outcome__in=[Outcome.RELEASE, Outcome.REDACT]
        ).values_list("item_id", flat=True)
    )
    ledger.record(
        Action.SUBJECT_ACCESS,
        by=by,
        person=request.person_id,
        items=released,
        details={"request": request.reference, "step": "assembled"},
    )
    return request


@transaction.atomic
def release_pack(
    request: SubjectAccessRequest, *, sent_on: dt.date | None, by: StaffMember
) -> SubjectAccessRequest:
    """Record that the checked pack and covering letter were sent to the person."""
    _check_coordinator(request, by)
    if request.status != RequestStatus.ASSEMBLED:
        raise InvalidInput("Only an assembled pack that has not been released can be released.")
    if sent_on is None or sent_on > timezone.localdate() or sent_on < request.received_on:
        message = "Enter the date the pack was sent, between receipt and today"
        raise InvalidInput(message, field_errors={"sent_on": message})
    request.status = RequestStatus.RELEASED
    request.released_by = by
    request.released_on = sent_on
    request.save(update_fields=["status", "released_by", "released_on"])
    _record(request, "released", by=by, sent_on=sent_on.isoformat(), on_time=sent_on <= request.due_on)
    return request
