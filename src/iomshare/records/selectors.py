"""The one door: every read of information-item content comes through here.

Web pages, the API, exports and reports call these functions so that the sharing rules and the
ledger entry cannot be skipped: each read writes one disclosure entry naming every item returned,
before anything is returned. Until protocol-enforced sharing exists, a viewer sees their own
agency's items only: never more.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db.models import Count

from iomshare.errors import NotPermitted
from iomshare.ledger import services as ledger
from iomshare.ledger.context import acting_from, current_origin
from iomshare.ledger.models import Action
from iomshare.partnership.models import Role, StaffMember
from iomshare.people.models import Person
from iomshare.records.models import InformationItem


@dataclass(frozen=True)
class Picture:
    """What one viewer may see about one person, newest first."""

    person: Person
    items: list[InformationItem]
    own_agency_counts: dict[str, int] = field(default_factory=dict)


def _visible_items(viewer: StaffMember):
    if viewer.agency_id is None:
        raise NotPermitted("Your account is not linked to an agency, so it cannot see any information.")
    return InformationItem.objects.filter(holding_agency_id=viewer.agency_id).live()


def picture_for(viewer: StaffMember, person: Person, *, limit: int | None = None) -> Picture:
    """Everything `viewer` may see about `person`: today, their own agency's live items."""
    query = (
        _visible_items(viewer)
        .for_person(person)
        .select_related("holding_agency", "category", "author")
        .order_by("-recorded_at")
    )
    items = list(query[:limit] if limit else query)
    counts = dict(
        _visible_items(viewer).for_person(person).values_list("category__name").annotate(n=Count("id"))
    )
    ledger.record_disclosure(viewer=viewer, person=person, items=items)
    return Picture(person=person, items=items, own_agency_counts=counts)


@dataclass(frozen=True)
class ItemsPage:
    """One page of the items a viewer may see about a person, newest first, and how many in all."""

    count: int
    items: list[InformationItem]


def items_page_for(viewer: StaffMember, person: Person, *, limit: int, offset: int = 0) -> ItemsPage:
    """A page of what `viewer` may see about `person` (the same rule as `picture_for`), for the API."""
    query = _visible_items(viewer).for_person(person)
    page = query.select_related("holding_agency", "category", "author").order_by("-recorded_at", "id")
    items = list(page[offset : offset + limit])
    ledger.record_disclosure(viewer=viewer, person=person, items=items, offset=offset)
    return ItemsPage(count=query.count(), items=items)


def item_for(viewer: StaffMember, item_id) -> InformationItem | None:
    """One item, if `viewer` may see it; None otherwise (never say whether it exists)."""
    item = (
        _visible_items(viewer)
        .select_related("holding_agency", "category", "author", "person")
        .filter(id=item_id)
        .first()
    )
    if item is not None:
        ledger.record_disclosure(viewer=viewer, person=item.person, items=[item])
    return item


def recent_form_items(viewer: StaffMember, person: Person, *, form_code: str, since) -> list[InformationItem]:
    """Items on standard form `form_code` about `person` since `since` that `viewer` may see, any agency.

    Shown before a practitioner starts an assessment, so one already done is not repeated.
    """
    items = list(
        _visible_items(viewer)
        .for_person(person)
        .filter(payload__form=form_code, valid_from__gte=since)
        .select_related("holding_agency", "author", "category")
        .order_by("-valid_from", "-recorded_at")
    )
    if items:
        ledger.record_disclosure(viewer=viewer, person=person, items=items, form=form_code)
    return items


def items_for_extract(
    viewer: StaffMember, *, person_ids=None, recorded_since=None, purpose: str = ""
) -> Iterator[InformationItem]:
    """Every item `viewer` may see, about `person_ids` (or everyone), streamed for a bulk extract."""
    query = _visible_items(viewer)
    if person_ids is not None:
        query = query.filter(person_id__in=person_ids)
    if recorded_since is not None:
        query = query.filter(recorded_at__gte=recorded_since)
    query = query.select_related("holding_agency", "category", "author", "person").order_by(
        "person_id", "-recorded_at", "id"
    )
    return _recorded_per_person(viewer, query.iterator(chunk_size=2000), purpose)


def _recorded_per_person(
    viewer: StaffMember, items: Iterator[InformationItem], purpose: str = ""
) -> Iterator[InformationItem]:
    """Yield an extract's items person by person, each person's export recorded before it is yielded.

    The origin (channel, request id) is taken now: a streamed response runs after the request ends.
    """
    origin = current_origin()
    batch: list[InformationItem] = []

    def flush() -> Iterator[InformationItem]:
        with acting_from(origin):
            ledger.record(Action.EXPORT, by=viewer, person=batch[0].person_id, items=batch, purpose=purpose)
        yield from batch

    for item in items:
        if batch and item.person_id != batch[0].person_id:
            yield from flush()
            batch = []
        batch.append(item)
    if batch:
        yield from flush()


def count_items_by_agency_category() -> dict[tuple[int, str, int], int]:
    """Live items per (holding agency id, category code, sensitivity): counts only, never content.

    For the protocol simulator, which shows how many items a draft would open or close.
    """
    rows = (
        InformationItem.objects.live()
        .values("holding_agency_id", "category__code", "sensitivity")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {(row["holding_agency_id"], row["category__code"], row["sensitivity"]): row["n"] for row in rows}


# Categories whose items may fall under a subject-access exemption (crime prevention, safeguarding,
# serious harm from health data): an information-governance lead reviews them before release.
EXEMPTION_REVIEW_CATEGORIES = frozenset({"intelligence", "safeguarding", "health"})


@dataclass(frozen=True)
class SubjectAccessItems:
    person: Person
    items: list[InformationItem]
    review_ids: frozenset = frozenset()

    def needs_review(self, item: InformationItem) -> bool:
        return item.pk in self.review_ids


def subject_access_items(person: Person, *, by: StaffMember) -> SubjectAccessItems:
    """Everything any agency holds about `person`, for a subject access request: IG leads only.

    Withdrawn items are included (they are still held); the read is one subject_access ledger entry.
    """
    if by.role != Role.IG_LEAD:
        raise NotPermitted("Only an information-governance lead can compile a subject access pack.")
    items = list(
        InformationItem.objects.for_person(person)
        .select_related("holding_agency", "category", "author")
        .prefetch_related("corrections")
        .order_by("holding_agency__name", "-recorded_at")
    )
    review_ids = frozenset(item.pk for item in items if item.category.code in EXEMPTION_REVIEW_CATEGORIES)
    ledger.record(
        Action.SUBJECT_ACCESS,
        by=by,
        person=person,
        items=items,
        details={"for_exemption_review": sorted(str(item_id) for item_id in review_ids)},
    )
    return SubjectAccessItems(person=person, items=items, review_ids=review_ids)
