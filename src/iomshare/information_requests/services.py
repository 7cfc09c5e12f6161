"""Business actions on requests for information: ask, approve, refuse, withdraw an approval.

Web pages and the API call these alike. Each action is on the ledger, and the people who must act
next are notified. Bad input raises InvalidInput naming every field at fault, and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from iomshare.alerts import outbox
from iomshare.alerts import services as alerts
from iomshare.alerts.models import EventKind
from iomshare.errors import InvalidInput, NotFound, NotPermitted
from iomshare.information_requests import deadlines
from iomshare.information_requests.candidates import candidate_items
from iomshare.information_requests.models import (
    ApprovedItem,
    InformationRequest,
    RequestStatus,
    Urgency,
)
from iomshare.information_requests.selectors import REQUESTER_ROLES, may_decide
from iomshare.ledger import services as ledger
from iomshare.ledger.models import Action, Outcome
from iomshare.partnership.models import Role, StaffMember
from iomshare.partnership.selectors import other_agency
from iomshare.people.access_lists import may_see_person
from iomshare.people.models import Person
from iomshare.protocols.decisions import RefusalReason, access_grid
from iomshare.protocols.models import LegalGateway, Purpose
from iomshare.records.models import Category

MIN_JUSTIFICATION = 25
MAX_JUSTIFICATION = 5000
MIN_REASON = 10
DEFAULT_APPROVAL_DAYS = 28
MAX_APPROVAL_DAYS = 365


def decision_reference(request: InformationRequest) -> str:
    """How the ledger names a one-off decision among the clauses relied on."""
    return f"information-request:{request.pk}"


def _date(day: dt.date | None) -> str:
    return f"{day.day} {day:%B %Y}" if day else "no date"


def _link(request: InformationRequest) -> str:
    return reverse("information_requests:detail", args=[request.pk])


def _ig_leads_of(agency_id: int) -> list[StaffMember]:
    return list(StaffMember.objects.filter(agency_id=agency_id, role=Role.IG_LEAD, is_active=True))


def make_request(  # noqa: C901 (one check per field of the request, each reported at once)
    *,
    by: StaffMember,
    person: Person,
    holding_agency: str,
    category: str,
    purpose: str,
    legal_gateway: str,
    justification: str,
    urgency: str = Urgency.ROUTINE,
) -> InformationRequest:
    """Ask `holding_agency` for its `category` information about `person`, for `purpose`.

    Allowed whether or not a protocol covers the purpose: an uncovered request is what the gap
    report counts. What the sharing decision said at the time is kept with the request.
    """
    if by.agency_id is None:
        raise NotPermitted("Your account is not linked to an agency, so it cannot ask for information.")
    if by.is_volunteer or by.role not in REQUESTER_ROLES:
        raise NotPermitted(
            "Volunteers cannot ask for one-off disclosures: ask a member of staff at your agency to ask."
            if by.is_volunteer or by.role == Role.VOLUNTEER
            else "Your role cannot ask other agencies for information."
        )
    if not may_see_person(by, person.pk):
        raise NotFound("There is no such person that you may see.")
    errors: dict[str, str] = {}
    agency, problem = other_agency(
        holding_agency,
        by,
        choose="Choose the agency that holds the information",
        own="This is your own agency's information: you can already see it",
        hint="choose the agency that holds it",
    )
    if problem:
        errors["holding_agency"] = problem
    category_row = Category.objects.filter(code=category).first() if category else None
    if category_row is None:
        errors["category"] = (
            f"'{category}' is not a category of information: choose one from the list"
            if category
            else "Choose the kind of information you need"
        )
    purpose_row = Purpose.objects.filter(code=purpose).first() if purpose else None
    if purpose_row is None:
        errors["purpose"] = (
            f"'{purpose}' is not a purpose for sharing information: choose one from the list"
            if purpose
            else "Choose the purpose for which you need the information"
        )
    gateway = LegalGateway.objects.filter(code=legal_gateway).first() if legal_gateway else None
    if gateway is None:
        errors["legal_gateway"] = (
            f"'{legal_gateway}' is not a legal gateway on the partnership's list: choose one from the list"
            if legal_gateway
            else "Choose the law that allows the disclosure"
        )
    justification = (justification or "").strip()
    if len(justification) < MIN_JUSTIFICATION:
        errors["justification"] = (
            "Explain why you need the information"
            if not justification
            else f"Explain in at least {MIN_JUSTIFICATION} characters why you need the information, "
            "so the holding agency can decide"
        )
    elif len(justification) > MAX_JUSTIFICATION:
        errors["justification"] = f"Keep the explanation to {MAX_JUSTIFICATION} characters or fewer"
    if urgency not in Urgency.values:
        errors["urgency"] = "Choose how urgently you need the information"
    refusal = None
    if not errors and agency and category_row and purpose_row:
        grid = access_grid(by, purpose_row.code)
        refusal = grid.refusals.get((agency.pk, category_row.code))
        if refusal is None:
            errors["category"] = (
                f"You can already see {agency.name}'s {category_row.name.lower()} information for "
                f"{purpose_row.name.lower()}: open the person's page for that purpose instead"
            )
    if errors or not (agency and category_row and purpose_row and gateway and refusal):
        raise InvalidInput("The request was not sent: correct the problems listed.", field_errors=errors)

    with transaction.atomic():
        request = InformationRequest.objects.create(
            person=person,
            requested_by=by,
            requesting_agency_id=by.agency_id,
            holding_agency=agency,
            category=category_row,
            purpose=purpose_row,
            legal_gateway=gateway,
            justification=justification,
            urgency=urgency,
            due_on=deadlines.due_on(timezone.now(), urgency),
            purpose_was_covered=grid.purpose_is_covered,
            covered_by_protocol=refusal.reason != RefusalReason.NO_PROTOCOL,
            refusal_reason=refusal.reason,
            refusal_message=refusal.message,
        )
        ledger.record(
            Action.REQUEST_MADE,
            by=by,
            person=person,
            purpose=purpose_row.code,
            clauses=[decision_reference(request)],
            details={
                "request": request.pk,
                "holding_agency": agency.code,
                "category": category_row.code,
                "legal_gateway": gateway.code,
                "urgency": urgency,
                "covered_by_protocol": request.covered_by_protocol,
                "refusal_reason": refusal.reason,
            },
        )
        alerts.notify(
            _ig_leads_of(agency.pk),
            message=(
                f"{by.get_full_name() or by.username} ({by.agency.name if by.agency else ''}) asks for {category_row.name.lower()} "
                f"information about {person.full_name}, for {purpose_row.name.lower()} "
                f"({Urgency(urgency).label.split(':')[0].lower()}): request {request.number}, "
                f"due by {_date(request.due_on)}."
            ),
            link=_link(request),
            reason="information_request_made",
            person=person,
            by=by,
        )
    return request


def _lock_for_decision(request: InformationRequest, by: StaffMember) -> InformationRequest:
    """The request, locked, once `by` is shown to be the one who may decide it now."""
    if by.role != Role.IG_LEAD:
        raise NotPermitted("Only an information-governance lead of the holding agency can decide a request.")
    if by.agency_id != request.holding_agency_id:
        raise NotPermitted(
            f"Only {request.holding_agency.name}'s information-governance lead can decide this request."
        )
    if not may_decide(by, request):
        raise NotPermitted("You cannot decide your own request: another information-governance lead must.")
    locked = InformationRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status != RequestStatus.AWAITING_DECISION:
        raise InvalidInput(
            f"Request {locked.number} was already decided ({locked.get_status_display().lower()}).",
            field_errors={"decision": f"Request {locked.number} was already decided"},
        )
    return locked


def _parse_item_ids(values: Iterable) -> tuple[list[uuid.UUID], list[str]]:
    ids, bad = [], []
    for value in values:
        try:
            ids.append(value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)))
        except ValueError:
            bad.append(str(value))
    return ids, bad


def _decide(
    locked: InformationRequest, status: str, *, by: StaffMember, reason: str, also: Iterable[str] = ()
) -> None:
    """Write the holding agency's decision and its cohort event (the event in the same transaction)."""
    locked.status = status
    locked.decided_by = by
    locked.decided_at = timezone.now()
    locked.decision_reason = reason
    locked.save(update_fields=["status", "decided_by", "decided_at", "decision_reason", *also])
    outbox.event(
        EventKind.REQUEST_DECISION,
        person_id=locked.person_id,
        agency_id=by.agency_id,
        by_id=by.pk,
        request_id=locked.pk,
        decision=locked.status,
    )


def approve_request(
    request: InformationRequest,
    *,
    by: StaffMember,
    item_ids: Iterable,
    expires_on: dt.date | None,
    note: str = "",
) -> InformationRequest:
    """Disclose the named items to the requester, for the purpose asked, until `expires_on`."""
    today = timezone.localdate()
    latest = today + dt.timedelta(days=MAX_APPROVAL_DAYS)
    with transaction.atomic():
        locked = _lock_for_decision(request, by)
        errors: dict[str, str] = {}
        ids, bad = _parse_item_ids(item_ids)
        candidates = {item.pk: item for item in candidate_items(request, by=by)}
        chosen = [candidates[i] for i in dict.fromkeys(ids) if i in candidates]
        if bad or len(chosen) != len(set(ids)):
            errors["item_ids"] = (
                "Choose only items listed for this request: "
                f"{', '.join(bad or [str(i) for i in ids if i not in candidates])} is not one of them"
            )
        elif not chosen:
            errors["item_ids"] = "Select at least one item to disclose"
        if expires_on is None:
            errors["expires_on"] = "Enter the date the approval ends"
        elif expires_on < today:
            errors["expires_on"] = "The date the approval ends must be today or in the future"
        elif expires_on > latest:
            errors["expires_on"] = f"The approval must end within a year, on or before {_date(latest)}"
        if errors or expires_on is None:
            raise InvalidInput(
                "The request was not approved: correct the problems listed.", field_errors=errors
            )
        locked.expires_on = expires_on
        _decide(locked, RequestStatus.APPROVED, by=by, reason=(note or "").strip(), also=["expires_on"])
        ApprovedItem.objects.bulk_create([ApprovedItem(request=locked, item_id=item.pk) for item in chosen])
        ledger.record(
            Action.REQUEST_APPROVED,
            by=by,
            person=locked.person_id,
            items=chosen,
            purpose=request.purpose.code,
            clauses=[decision_reference(locked)],
            outcome=Outcome.ALLOWED,
            details={
                "request": locked.pk,
                "requested_by": request.requested_by.username,
                "requesting_agency": request.requesting_agency.code,
                "expires_on": expires_on.isoformat(),
            },
        )
        alerts.notify(
            [request.requested_by],
            message=(
                f"{request.holding_agency.name} approved your request {locked.number} about "
                f"{request.person.full_name}: {len(chosen)} item{'s' if len(chosen) != 1 else ''}, "
                f"for {request.purpose.name.lower()}, until {_date(expires_on)}."
            ),
            link=_link(locked),
            reason="information_request_approved",
            person=request.person,
            by=by,
        )
    return locked


def refuse_request(request: InformationRequest, *, by: StaffMember, reason: str) -> InformationRequest:
    """Refuse, with a reason the requester reads (and the gap report counts)."""
    reason = (reason or "").strip()
    with transaction.atomic():
        locked = _lock_for_decision(request, by)
        if len(reason) < MIN_REASON:
            raise InvalidInput(
                "The request was not refused: give the reason.",
                field_errors={
                    "reason": "Enter the reason for refusing"
                    if not reason
                    else f"Explain the refusal in at least {MIN_REASON} characters, so the requester can act on it"
                },
            )
        _decide(locked, RequestStatus.REFUSED, by=by, reason=reason)
        ledger.record(
            Action.REQUEST_REFUSED,
            by=by,
            person=locked.person_id,
            purpose=request.purpose.code,
            clauses=[decision_reference(locked)],
            outcome=Outcome.REFUSED,
            details={"request": locked.pk, "requested_by": request.requested_by.username, "reason": reason},
        )
        alerts.notify(
            [request.requested_by],
            message=(
                f"{request.holding_agency.name} refused your request {locked.number} about "
                f"{request.person.full_name}: {reason}"
            ),
            link=_link(locked),
            reason="information_request_refused",
            person=request.person,
            by=by,
        )
    return locked


def withdraw_approval(request: InformationRequest, *, by: StaffMember, reason: str) -> InformationRequest:
    """Stop an approved one-off disclosure before its expiry (the holding agency stays the controller)."""
    reason = (reason or "").strip()
    if by.role != Role.IG_LEAD or by.agency_id != request.holding_agency_id:
        raise NotPermitted(
            f"Only {request.holding_agency.name}'s information-governance lead can withdraw this approval."
        )
    with transaction.atomic():
        locked = InformationRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status != RequestStatus.APPROVED:
            raise InvalidInput(
                f"Request {locked.number} is not approved, so there is nothing to withdraw.",
                field_errors={"withdraw_reason": f"Request {locked.number} is not approved"},
            )
        if len(reason) < MIN_REASON:
            raise InvalidInput(
                "The approval was not withdrawn: give the reason.",
                field_errors={"withdraw_reason": f"Explain in at least {MIN_REASON} characters why"},
            )
        locked.status = RequestStatus.WITHDRAWN
        locked.withdrawn_by = by
        locked.withdrawn_at = timezone.now()
        locked.withdrawn_reason = reason
        locked.save(update_fields=["status", "withdrawn_by", "withdrawn_at", "withdrawn_reason"])
        ledger.record(
            Action.REQUEST_WITHDRAWN,
            by=by,
            person=locked.person_id,
            items=list(locked.approved_items.values_list("item_id", flat=True)),
            purpose=request.purpose.code,
            clauses=[decision_reference(locked)],
            details={"request": locked.pk, "reason": reason},
        )
        alerts.notify(
            [request.requested_by],
            message=(
                f"{request.holding_agency.name} withdrew its approval of your request {locked.number} about "
                f"{request.person.full_name}: {reason}"
            ),
            link=_link(locked),
            reason="information_request_withdrawn",
            person=request.person,
            by=by,
        )
    return locked
