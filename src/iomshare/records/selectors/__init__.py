"""The one door: every read of information-item content comes through here (invariant 1).

Web pages, the API, exports and reports call these functions so that the sharing decision and the
ledger entry cannot be skipped. A read of a person for a purpose works as DESIGN.md's "A read, end
to end" says: protocols compute the viewer's access grid once; this module turns it, with the
record-level rules (handling codes, restriction, one-off disclosures, per-person access lists), into
one database query; each read writes one disclosure entry naming every item returned and the clauses
relied on, before anything is returned (if the entry cannot be written, nothing is shown).

Without a purpose a viewer sees their own agency's items only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db.models import Count, Q, Window
from django.utils import timezone

from iomshare.errors import NotFound
from iomshare.ledger import services as ledger
from iomshare.ledger.context import acting_from, current_origin
from iomshare.ledger.models import Action
from iomshare.partnership.models import Agency, StaffMember
from iomshare.people.models import Person
from iomshare.people.visibility import known_people, may_know
from iomshare.protocols.decisions import AccessGrid, access_grid
from iomshare.records.models import (
    Category,
    HandlingCode,
    InformationItem,
)
from iomshare.records.selectors.alerts import AlertSight as AlertSight
from iomshare.records.selectors.alerts import alert_for as alert_for
from iomshare.records.selectors.counts import agency_holds_items_about as agency_holds_items_about
from iomshare.records.selectors.counts import count_items_by_agency_category as count_items_by_agency_category
from iomshare.records.selectors.counts import holds_items_about as holds_items_about
from iomshare.records.selectors.counts import item_counts_by_agency as item_counts_by_agency
from iomshare.records.selectors.sight import OWN_BASIS as OWN_BASIS
from iomshare.records.selectors.sight import Basis as Basis
from iomshare.records.selectors.sight import Sight as Sight
from iomshare.records.selectors.sight import Withheld as Withheld
from iomshare.records.selectors.sight import (
    clauses_of,
    disclosed,
    own_agency_sight,
    person_items,
    record_read,
    require_agency,
    sight_from_grid,
)
from iomshare.records.selectors.sight import sight_for as sight_for

# Subject access reads live beside the door, in this package: one door, split along its seam.
from iomshare.records.selectors.subject_access import (
    REDACTED as REDACTED,
)
from iomshare.records.selectors.subject_access import (
    ReleasedItem as ReleasedItem,
)
from iomshare.records.selectors.subject_access import (
    item_fields as item_fields,
)
from iomshare.records.selectors.subject_access import (
    subject_access_holding_agency_ids as subject_access_holding_agency_ids,
)
from iomshare.records.selectors.subject_access import (
    subject_access_item_ids as subject_access_item_ids,
)
from iomshare.records.selectors.subject_access import (
    subject_access_own_items as subject_access_own_items,
)
from iomshare.records.selectors.subject_access import (
    subject_access_released_items as subject_access_released_items,
)

# --- reads ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineFilter:
    """What a practitioner narrowed a person's timeline to: kinds of information, an agency, dates."""

    category_codes: tuple[str, ...] = ()
    holding_agency_id: int | None = None
    recorded_from: dt.date | None = None
    recorded_to: dt.date | None = None

    def condition(self) -> Q:
        where = Q()
        if self.category_codes:
            where &= Q(category__code__in=self.category_codes)
        if self.holding_agency_id is not None:
            where &= Q(holding_agency_id=self.holding_agency_id)
        tz = timezone.get_current_timezone()
        if self.recorded_from is not None:
            where &= Q(recorded_at__gte=dt.datetime.combine(self.recorded_from, dt.time.min, tzinfo=tz))
        if self.recorded_to is not None:
            after = self.recorded_to + dt.timedelta(days=1)
            where &= Q(recorded_at__lt=dt.datetime.combine(after, dt.time.min, tzinfo=tz))
        return where


# Shown first on a person's summary: staff safety and risk, then the latest contact.
SUMMARY_FIRST = ("warning_marker", "risk")
SUMMARY_CONTACT = "contact"
SUMMARY_FIRST_LIMIT = 5


@dataclass(frozen=True)
class PersonSummary:
    """The top of a person's page: warning markers and risk first, and the latest contact."""

    warnings_and_risk: list[InformationItem]
    latest_contact: InformationItem | None


def _summary(sight: Sight, person: Person) -> PersonSummary:
    """The few items a practitioner must see first: two small queries under the page's own sight."""
    items = person_items(sight, person).select_related("holding_agency", "category", "author")
    newest = ("-recorded_at", "id")
    first = list(items.filter(category__code__in=SUMMARY_FIRST).order_by(*newest)[:SUMMARY_FIRST_LIMIT])
    contact = items.filter(category__code=SUMMARY_CONTACT).order_by(*newest).first()
    disclosed(sight, [*first, *([contact] if contact else [])])
    return PersonSummary(warnings_and_risk=first, latest_contact=contact)


@dataclass(frozen=True)
class Picture:
    """What one viewer may see about one person for one purpose, newest first, and what is withheld."""

    person: Person
    purpose: str | None
    items: list[InformationItem]
    withheld: list[Withheld] = field(default_factory=list)
    grid: AccessGrid | None = None
    count: int = 0  # how many items the viewer may see in all (items may be one page of them)
    offset: int = 0  # where `items` start among all of them, newest first
    summary: PersonSummary | None = None  # with_summary: what the page shows first


def picture_for(  # noqa: PLR0913 (the door's one read: paging and narrowing, each a keyword)
    viewer: StaffMember,
    person: Person,
    *,
    purpose: str | None,
    limit: int | None = None,
    offset: int = 0,
    category_id: int | None = None,
    narrowed: TimelineFilter | None = None,
    with_summary: bool = False,
    last_page_when_past_end: bool = False,
) -> Picture:
    """Everything `viewer` may see about `person` for `purpose` (None: their own agency's items).

    `limit` and `offset` take one page of it, newest first; only that page is read and recorded
    (with `last_page_when_past_end`, an offset past the end reads the last page instead, still one
    ledger entry). `category_id` narrows the read (and so the ledger entry) to one kind of
    information, as an information-governance lead choosing items to release needs; `narrowed` to
    what a practitioner filtered the timeline to (kind, holding agency, dates). `with_summary` adds
    what the person page shows first (warning markers, risk, latest contact); one ledger entry names
    everything shown.
    """
    sight = sight_for(viewer, person.pk, purpose)
    query = person_items(sight, person)
    if category_id is not None:
        query = query.filter(category_id=category_id)
    if narrowed is not None:
        query = query.filter(narrowed.condition())
    items, count = _page_and_count(query, offset, limit)
    if not items and offset and limit and last_page_when_past_end:
        offset = max(count - 1, 0) // limit * limit
        if count:
            items, count = _page_and_count(query, offset, limit)
    disclosed(sight, items)
    summary = _summary(sight, person) if with_summary else None
    shown = items
    if summary is not None:
        extra = [*summary.warnings_and_risk, *([summary.latest_contact] if summary.latest_contact else [])]
        seen = {item.pk for item in items}
        shown = [*items, *(item for item in extra if item.pk not in seen)]
    record_read(sight, person, shown, **({"offset": offset} if offset else {}))
    return Picture(person, purpose, items, withheld_from(sight, person), sight.grid, count, offset, summary)


def withheld_from(sight: Sight, person: Person) -> list[Withheld]:
    """Per holding agency and category, how many items are withheld, where existence may be known.

    Counts only, never content. Items whose handling code forbids onward sharing, and restricted
    items, are not counted: their existence is not the viewer's to know.
    """
    return _withheld_counts(sight, InformationItem.objects.live().filter(person=person))


def _withheld_counts(sight: Sight, query) -> list[Withheld]:
    """`query`'s items the viewer may not see but may know exist, counted per agency and category."""
    if sight.grid is None:
        return []
    hidden = (
        query.filter(handling_code=HandlingCode.SHAREABLE, restricted_at__isnull=True)
        .exclude(sight.condition)
        .values_list("holding_agency_id", "category__code", "sensitivity")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: dict[tuple[int, str], list] = {}
    for agency_id, code, sensitivity, n in hidden:
        refusal = sight.grid.refusal_for(agency_id, code, sensitivity)
        if refusal is None or not refusal.may_disclose_existence:
            continue
        entry = counts.setdefault((agency_id, code), [0, refusal])
        entry[0] += n
    if not counts:
        return []
    agencies = Agency.objects.in_bulk({agency_id for agency_id, _ in counts})
    categories = Category.objects.in_bulk({code for _, code in counts}, field_name="code")
    return sorted(
        (
            Withheld(agencies[agency_id], categories[code], n, refusal.message, refusal.reason)
            for (agency_id, code), (n, refusal) in counts.items()
        ),
        key=lambda w: (w.holding_agency.name, w.category.name),
    )


@dataclass(frozen=True)
class ItemsPage:
    """One page of the items a viewer may see about a person, newest first, and how many in all."""

    count: int
    items: list[InformationItem]


def items_page_for(
    viewer: StaffMember, person: Person, *, purpose: str | None, limit: int, offset: int = 0
) -> ItemsPage:
    """A page of what `viewer` may see about `person` for `purpose` (the rule of `picture_for`)."""
    sight = sight_for(viewer, person.pk, purpose)
    query = person_items(sight, person)
    items, count = _page_and_count(query, offset, limit)
    disclosed(sight, items)
    record_read(sight, person, items, offset=offset)
    return ItemsPage(count=count, items=items)


def _page_and_count(query, offset: int, limit: int | None) -> tuple[list[InformationItem], int]:
    """One page of `query` (all of it from `offset` when `limit` is None), newest first, and how
    many it matches in all, in one query.

    The count rides on the page's rows (a window over every match), so the door's condition is
    built and run once; only a page past the end needs a count of its own.
    """
    page = list(
        query.select_related("holding_agency", "category", "author")
        .annotate(matches=Window(Count("pk")))
        .order_by("-recorded_at", "id")[offset : offset + limit if limit else None]
    )
    if page:
        return page, page[0].matches
    return page, query.count() if offset else 0


def item_for(viewer: StaffMember, item_id, *, purpose: str | None = None) -> InformationItem | None:
    """One item, if `viewer` may see it for `purpose`; None otherwise (never say whether it exists)."""
    require_agency(viewer)
    person_id = InformationItem.objects.filter(pk=item_id).values_list("person_id", flat=True).first()
    if person_id is None or not may_know(viewer, person_id):
        return None
    try:
        sight = sight_for(viewer, person_id, purpose)
    except NotFound:
        return None
    item = (
        InformationItem.objects.live()
        .filter(pk=item_id)
        .filter(sight.condition)
        .select_related("holding_agency", "category", "author", "person")
        .first()
    )
    if item is None:
        return None
    disclosed(sight, [item])
    record_read(sight, item.person, [item])
    return item


def picture_export_for(viewer: StaffMember, person: Person, *, purpose: str | None) -> list[InformationItem]:
    """A person's picture for `purpose` (the rule of `picture_for`), to download: an export entry."""
    sight = sight_for(viewer, person.pk, purpose)
    query = person_items(sight, person).select_related("holding_agency", "category", "author", "person")
    items = disclosed(sight, list(query.order_by("-recorded_at", "id")))
    ledger.record(
        Action.EXPORT, by=viewer, person=person, items=items, purpose=purpose or "", clauses=clauses_of(items)
    )
    return items


def recent_form_items(
    viewer: StaffMember, person: Person, *, form_code: str, since, purpose: str | None = None
) -> list[InformationItem]:
    """Items on standard form `form_code` about `person` since `since` that `viewer` may see, any agency.

    Shown before a practitioner starts an assessment, so one already done is not repeated.
    """
    sight = sight_for(viewer, person.pk, purpose)
    items = list(
        person_items(sight, person)
        .filter(form_code=form_code, valid_from__gte=since)
        .select_related("holding_agency", "author", "category")
        .order_by("-valid_from", "-recorded_at")
    )
    disclosed(sight, items)
    if items:
        record_read(sight, person, items, form=form_code)
    return items


def withheld_form_items(
    viewer: StaffMember, person: Person, *, form_code: str, since, purpose: str | None
) -> list[Withheld]:
    """Items on form `form_code` since `since` that other agencies hold but `viewer` may not see for
    `purpose`, counted per agency where a protocol lets their existence be known (never content).

    Without a purpose there is no protocol to ask, so nothing is counted.
    """
    if not purpose:
        return []
    sight = sight_for(viewer, person.pk, purpose)
    query = InformationItem.objects.live().filter(person=person, form_code=form_code, valid_from__gte=since)
    return _withheld_counts(sight, query)


def items_for_extract(
    viewer: StaffMember, *, person_ids=None, recorded_since=None, purpose: str | None = None
) -> Iterator[InformationItem]:
    """Every item `viewer` may see for `purpose`, about `person_ids` (or everyone), for an extract.

    The grid is computed once for the whole extract, so clauses that need a person's consent and
    one-off disclosures (both per person) do not apply here: a bulk extract carries only what a
    protocol shares with everyone it covers. Only people the viewer may know are in it
    (people.visibility: access lists, the cohort, volunteers' allocations).
    """
    require_agency(viewer)
    if purpose:
        sight = sight_from_grid(viewer, purpose, access_grid(viewer, purpose), {})
    else:
        sight = own_agency_sight(viewer, timezone.localdate())
    query = (
        InformationItem.objects.live()
        .filter(sight.condition)
        .filter(person_id__in=known_people(viewer).values("pk"))
    )
    if person_ids is not None:
        query = query.filter(person_id__in=person_ids)
    if recorded_since is not None:
        query = query.filter(recorded_at__gte=recorded_since)
    query = query.select_related("holding_agency", "category", "author", "person").order_by(
        "person_id", "-recorded_at", "id"
    )
    return _recorded_per_person(sight, query.iterator(chunk_size=2000))


def _recorded_per_person(sight: Sight, items: Iterator[InformationItem]) -> Iterator[InformationItem]:
    """Yield an extract's items person by person, each person's export recorded before it is yielded.

    The origin (channel, request id) is the request's: LedgerOriginMiddleware carries it into the stream.
    """
    origin = current_origin()
    batch: list[InformationItem] = []

    def flush() -> Iterator[InformationItem]:
        disclosed(sight, batch)
        with acting_from(origin):
            ledger.record(
                Action.EXPORT,
                by=sight.viewer,
                person=batch[0].person_id,
                items=batch,
                purpose=sight.purpose or "",
                clauses=clauses_of(batch),
            )
        yield from batch

    for item in items:
        if batch and item.person_id != batch[0].person_id:
            yield from flush()
            batch = []
        batch.append(item)
    if batch:
        yield from flush()
