"""Subject access requests through the door: each controller reads its own items about the person,
the coordinating IG lead only what each controller released (UK GDPR Art. 15)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from iomshare.errors import NotFound, NotPermitted
from iomshare.ledger import services as ledger
from iomshare.ledger.models import Action
from iomshare.partnership.models import Role, StaffMember
from iomshare.people.access_lists import may_see_person
from iomshare.records.models import InformationItem, ItemStatus


def _check_subject_access_lead(request, by: StaffMember, agency_id: int | None) -> None:
    if by.role != Role.IG_LEAD or by.is_volunteer or by.agency_id is None or by.agency_id != agency_id:
        raise NotPermitted("Only the information-governance lead of the agency concerned can do this.")
    if not may_see_person(by, request.person_id):
        raise NotFound("There is no such subject access request that you may see.")


def subject_access_own_items(request, *, by: StaffMember) -> list[InformationItem]:
    """`by`'s agency's items about the request's person, for its IG lead to decide on (never another
    agency's): only while that agency has a part in the request. Withdrawn items are included (they
    are still held); the read is a subject_access ledger entry."""
    from iomshare.subject_access.models import ControllerResponse

    part = (
        ControllerResponse.objects.filter(request=request, agency_id=by.agency_id).first()
        if by.agency_id is not None
        else None
    )
    _check_subject_access_lead(request, by, part.agency_id if part else None)
    items = list(
        InformationItem.objects.filter(person_id=request.person_id, holding_agency_id=by.agency_id)
        .exclude(status=ItemStatus.DISPOSED)  # their content no longer exists; the ledger has certificates
        .select_related("holding_agency", "category", "author")
        .order_by("-recorded_at", "id")
    )
    ledger.record(
        Action.SUBJECT_ACCESS,
        by=by,
        person=request.person_id,
        items=items,
        details={"request": request.reference, "step": "controller_review"},
    )
    return items


def subject_access_item_ids(request, agency_id: int) -> set[uuid.UUID]:
    """Ids of the items one agency holds about the request's person (metadata, never content)."""
    return set(
        InformationItem.objects.filter(person_id=request.person_id, holding_agency_id=agency_id)
        .exclude(status=ItemStatus.DISPOSED)
        .values_list("pk", flat=True)
    )


def subject_access_holding_agency_ids(person_id) -> set[int]:
    """Agencies holding any item about a person: each is a controller for a subject access request."""
    return set(
        InformationItem.objects.filter(person_id=person_id)
        .exclude(status=ItemStatus.DISPOSED)
        .values_list("holding_agency_id", flat=True)
        .distinct()
    )


def item_fields(item: InformationItem) -> list[tuple[str, str]]:
    """(name, label) of each part of an item a controller may redact: summary, details, form answers."""
    fields = [("summary", "Summary"), ("details", "Details")]
    answers = _answers(item)
    fields += [
        (name, name.replace("_", " ").capitalize()) for name in answers if name not in {"form", "version"}
    ]
    return fields


REDACTED = "[Redacted]"


@dataclass(frozen=True)
class ReleasedItem:
    """One item as its controller released it to the person: redacted parts replaced, never saved."""

    item_id: uuid.UUID
    holding_agency: str
    category: str
    recorded_on: dt.date
    valid_from: dt.date
    valid_to: dt.date | None
    status: str
    summary: str
    details: str
    answers: list[tuple[str, str]]
    redacted: tuple[str, ...]


def _released(item: InformationItem, redacted: tuple[str, ...]) -> ReleasedItem:
    answers = _answers(item)
    return ReleasedItem(
        item_id=item.pk,
        holding_agency=item.holding_agency.name,
        category=item.category.name,
        recorded_on=timezone.localdate(item.recorded_at),
        valid_from=item.valid_from,
        valid_to=item.valid_to,
        status=item.get_status_display(),
        summary=REDACTED if "summary" in redacted else item.summary,
        details=REDACTED if "details" in redacted and item.details else item.details,
        answers=[
            (name.replace("_", " ").capitalize(), REDACTED if name in redacted else str(value))
            for name, value in answers.items()
            if name not in {"form", "version"}
        ],
        redacted=redacted,
    )


def subject_access_released_items(request, *, by: StaffMember) -> list[ReleasedItem]:
    """What each controller released, redactions applied, for the coordinating IG lead to assemble.

    Only items whose holding agency confirmed its response and released them; nothing else of any
    agency's content. The read is a subject_access ledger entry naming every item.
    """
    from iomshare.subject_access.models import ItemDecision, Outcome

    _check_subject_access_lead(request, by, request.coordinating_agency_id)
    decisions = {
        decision.item_id: (decision.response.agency_id, tuple(decision.redacted_fields))
        for decision in ItemDecision.objects.filter(
            response__request=request,
            response__completed_at__isnull=False,
            outcome__in=[Outcome.RELEASE, Outcome.REDACT],
        ).select_related("response")
    }
    items = [
        item
        for item in InformationItem.objects.filter(person_id=request.person_id, pk__in=list(decisions))
        .exclude(status=ItemStatus.DISPOSED)
        .select_related("holding_agency", "category")
        .order_by("holding_agency__name", "-recorded_at", "id")
        if decisions[item.pk][0] == item.holding_agency_id  # released by its own controller only
    ]
    ledger.record(
        Action.SUBJECT_ACCESS,
        by=by,
        person=request.person_id,
        items=items,
        details={"request": request.reference, "step": "pack_read"},
    )
    return [_released(item, decisions[item.pk][1]) for item in items]


def _answers(item: InformationItem) -> dict[str, Any]:
    """A form item's answers (under "answers", or the payload itself for older items); else none."""
    payload = item.payload if isinstance(item.payload, dict) else {}
    answers = payload.get("answers")
    return answers if isinstance(answers, dict) else payload
