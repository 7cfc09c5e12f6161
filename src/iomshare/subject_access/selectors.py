"""Reads of subject access requests for the IG leads taking part in them (never item content: that
comes through records.selectors)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from iomshare.errors import NotFound
from iomshare.ledger.selectors import recipients_of
from iomshare.partnership.models import Agency, StaffMember
from iomshare.people.access_lists import hidden_person_ids, may_see_person
from iomshare.records import selectors as records
from iomshare.subject_access.models import ControllerResponse, ItemDecision, Outcome, SubjectAccessRequest
from iomshare.subject_access.services import is_ig_lead


def requests_for(viewer: StaffMember) -> QuerySet[SubjectAccessRequest]:
    """Requests `viewer`'s agency coordinates or holds information for, oldest deadline first."""
    if not is_ig_lead(viewer):
        return SubjectAccessRequest.objects.none()
    return (
        SubjectAccessRequest.objects.filter(
            Q(coordinating_agency_id=viewer.agency_id) | Q(responses__agency_id=viewer.agency_id)
        )
        .exclude(person_id__in=hidden_person_ids(viewer))
        .select_related("person", "coordinating_agency")
        .distinct()
    )


def request_for(viewer: StaffMember, request_id: int) -> SubjectAccessRequest:
    """One request, if `viewer` is an IG lead of an agency taking part and may see the person."""
    request = (
        SubjectAccessRequest.objects.filter(pk=request_id)
        .select_related("person", "coordinating_agency", "identity_checked_by", "recorded_by")
        .first()
    )
    if (
        request is None
        or not is_ig_lead(viewer)
        or viewer.agency_id is None  # is_ig_lead says so too; this tells the type checker
        or not (
            request.coordinating_agency_id == viewer.agency_id
            or request.responses.filter(agency_id=viewer.agency_id).exists()
        )
        or not may_see_person(viewer, request.person_id)
    ):
        raise NotFound("There is no such subject access request that you may see.")
    return request


def is_coordinator(viewer: StaffMember, request: SubjectAccessRequest) -> bool:
    return is_ig_lead(viewer) and viewer.agency_id == request.coordinating_agency_id


def own_part(viewer: StaffMember, request: SubjectAccessRequest) -> ControllerResponse | None:
    if viewer.agency_id is None:  # a response is always an agency's
        return None
    return ControllerResponse.objects.filter(request=request, agency_id=viewer.agency_id).first()


@dataclass(frozen=True)
class AgencyProgress:
    agency: Agency
    is_complete: bool
    released: int
    withheld: int


def progress(request: SubjectAccessRequest) -> list[AgencyProgress]:
    """Each holding agency's part: confirmed or not and, once confirmed, how many items it released."""
    rows = []
    for part in request.responses.select_related("agency").prefetch_related("decisions"):
        decisions = list(part.decisions.all()) if part.is_complete else []
        released = sum(1 for d in decisions if d.is_released)
        rows.append(AgencyProgress(part.agency, part.is_complete, released, len(decisions) - released))
    return rows


def decisions_by_item(part: ControllerResponse) -> dict[uuid.UUID, ItemDecision]:
    return {decision.item_id: decision for decision in part.decisions.all()}


def days_left(request: SubjectAccessRequest, today: dt.date | None = None) -> int:
    return (request.due_on - (today or timezone.localdate())).days


@dataclass(frozen=True)
class PackEntry:
    item: records.ReleasedItem
    shared_with: list[str]  # agencies the ledger says received the item (Article 15(1)(c))


@dataclass(frozen=True)
class Pack:
    request: SubjectAccessRequest
    entries: list[PackEntry]
    withheld_count: int
    exemptions: list[str]
    prepared_by: StaffMember
    prepared_on: dt.date


def _shared_with(item: records.ReleasedItem, person_id, staff_agency: dict[int, str]) -> list[str]:
    """Other agencies whose staff the ledger shows received the item (its holder's own staff are not
    recipients)."""
    agencies = {staff_agency[s] for s in recipients_of(item.item_id, person_id) if s in staff_agency}
    return sorted(agencies - {item.holding_agency})


def pack_for(request: SubjectAccessRequest, *, by: StaffMember) -> Pack:
    """The assembled pack: only what each controller released, with who it was shared with."""
    released = records.subject_access_released_items(request, by=by)
    staff_agency = dict(StaffMember.objects.filter(agency__isnull=False).values_list("pk", "agency__name"))
    entries = [PackEntry(item, _shared_with(item, request.person_id, staff_agency)) for item in released]
    withheld = ItemDecision.objects.filter(response__request=request, outcome=Outcome.EXEMPT)
    redacting = ItemDecision.objects.filter(response__request=request, outcome=Outcome.REDACT)
    exemptions = sorted(
        {
            named
            for named in [
                *withheld.values_list("exemption_named", flat=True),
                *redacting.values_list("exemption_named", flat=True),
            ]
            if named
        }
    )
    return Pack(request, entries, withheld.count(), exemptions, by, timezone.localdate())
