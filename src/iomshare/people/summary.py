"""The top of a person's page as practitioners use it: what to know first, then the timeline.

Warning markers, risk and the latest contact come through the one door (records.selectors); the
tier, key workers and how to reach them, and the open requests are facts about the case, not item
content. The purpose a practitioner declared is remembered per person for the session, so it
survives recording an item and coming back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.http import HttpRequest
from django.utils import timezone

from iomshare.casework.selectors import open_actions_about
from iomshare.information_requests.models import InformationRequest, RequestStatus
from iomshare.partnership.models import Agency, Role, StaffMember
from iomshare.partnership.signed_in import SignedInRequest
from iomshare.people import visibility
from iomshare.people.cohort_selectors import open_referral
from iomshare.people.models import CohortMembership, CohortReferral, Person
from iomshare.records import selectors as records
from iomshare.records.models import Category

SESSION_KEY = "declared_purposes"


def remembered_purpose(request: HttpRequest, person_id) -> str:
    return request.session.get(SESSION_KEY, {}).get(str(person_id), "")


def remember_purpose(request: HttpRequest, person_id, purpose: str) -> None:
    """Keep the declared purpose for this person until the session ends (or it is changed)."""
    purposes = dict(request.session.get(SESSION_KEY, {}))
    if purpose:
        purposes[str(person_id)] = purpose
    else:
        purposes.pop(str(person_id), None)
    request.session[SESSION_KEY] = purposes


@dataclass(frozen=True)
class TimelineChoices:
    """The timeline's filters as chosen, with what the page offers to choose from."""

    narrowed: records.TimelineFilter
    kind: str
    agency: str
    recorded_from: str
    recorded_to: str
    kinds: list[Category]
    agencies: list[Agency]
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def is_narrowed(self) -> bool:
        return bool(self.kind or self.agency or self.recorded_from or self.recorded_to)


def _day(text: str, name: str, errors: dict[str, str]) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        errors[name] = "Enter a real date, for example 2026-03-27"
        return None


def timeline_choices(request: SignedInRequest, purpose: str | None = None) -> TimelineChoices:
    """The timeline's filters: only agencies whose information the viewer may see are offered."""
    kinds = list(Category.objects.order_by("name"))
    opened = visibility.open_agencies(request.user, purpose)
    agencies = list(Agency.objects.filter(pk__in=opened).order_by("name"))
    kind = request.GET.get("kind", "")[:40]
    agency = request.GET.get("agency", "")[:40]
    errors: dict[str, str] = {}
    if kind and kind not in {k.code for k in kinds}:
        errors["kind"] = "Choose a kind of information from the list"
    agency_id = next((a.pk for a in agencies if a.code == agency), None)
    if agency and agency_id is None:
        errors["agency"] = "Choose an agency from the list"
    recorded_from = request.GET.get("from", "")[:10]
    recorded_to = request.GET.get("to", "")[:10]
    start, end = _day(recorded_from, "from", errors), _day(recorded_to, "to", errors)
    if start and end and end < start:
        errors["to"] = "The end date must be on or after the start date"
    narrowed = records.TimelineFilter(
        category_codes=(kind,) if kind and "kind" not in errors else (),
        # An agency not offered (it shares nothing with the viewer) narrows to nothing, with the error.
        holding_agency_id=agency_id if agency_id is not None or not agency else 0,
        recorded_from=start,
        recorded_to=end if "to" not in errors else None,
    )
    return TimelineChoices(narrowed, kind, agency, recorded_from, recorded_to, kinds, agencies, errors)


@dataclass(frozen=True)
class CaseSummary:
    """What a practitioner needs first about a person."""

    items: records.PersonSummary
    membership: CohortMembership | None
    referral: CohortReferral | None
    open_requests: list[InformationRequest]
    open_actions: list = field(default_factory=list)
    today: dt.date | None = None
    allocated_unshared: bool = False  # a volunteer's allocated person, led by an agency sharing nothing


def _open_requests(viewer: StaffMember, person: Person) -> list[InformationRequest]:
    """Awaiting requests about the person that the viewer made, or that await their agency's decision."""
    query = InformationRequest.objects.filter(person=person, status=RequestStatus.AWAITING_DECISION)
    if viewer.role == Role.IG_LEAD:
        query = query.filter(requested_by=viewer) | query.filter(holding_agency_id=viewer.agency_id)
    else:
        query = query.filter(requested_by=viewer)
    return list(query.select_related("holding_agency", "category").order_by("due_on", "id"))


def case_summary(viewer: StaffMember, person: Person, items: records.PersonSummary) -> CaseSummary:
    """The summary around `items` (read through the door with the page's timeline)."""
    # The profile's own memberships: only those the viewer may see (people.visibility).
    membership = next(iter(getattr(person, "current_memberships", [])), None)
    return CaseSummary(
        items=items,
        membership=membership,
        referral=open_referral(person.pk),
        open_requests=_open_requests(viewer, person),
        open_actions=open_actions_about(viewer, person.pk),
        today=timezone.localdate(),
        allocated_unshared=membership is None
        and CohortMembership.objects.current().filter(person=person, key_workers=viewer.pk).exists(),
    )
