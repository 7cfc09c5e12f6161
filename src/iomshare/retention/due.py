"""Finding what is due: the only place retention queries the items table, and only its metadata.

Retention needs to know which items exist, whose they are, which agency holds them and when they
were recorded, never what they say. Every query here names its columns (`values`, `update` of the
restriction columns) and none names summary, details or payload; the architecture test allows
iomshare.retention.due and nothing else in retention to query InformationItem.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, Max, OuterRef, Q
from django.utils import timezone

from iomshare.people.models import CohortMembership, Person
from iomshare.records.models import InformationItem, ItemStatus
from iomshare.retention.models import (
    ItemRetention,
    PersonDates,
    RetentionReview,
    RetentionSchedule,
    ReviewStatus,
    Trigger,
    subtract_period,
)

CONTACT_CATEGORY = "contact"
# Items still held: live, or withdrawn (withdrawn items are hidden, but still held until disposed).
HELD_STATUSES = (ItemStatus.LIVE, ItemStatus.WITHDRAWN)
ITEM_COLUMNS = ("id", "person_id", "holding_agency_id", "category_id", "recorded_at")


@dataclass(frozen=True)
class DueItem:
    """An item whose retention period has ended: its metadata and the schedule that applies."""

    item_id: uuid.UUID
    person_id: uuid.UUID
    holding_agency_id: int
    category_id: int
    recorded_at: dt.datetime
    schedule: RetentionSchedule


def start_of_day_after(day: dt.date) -> dt.datetime:
    """Midnight (local time) at the end of `day`: recorded on or before `day` means before this."""
    return dt.datetime.combine(
        day + dt.timedelta(days=1), dt.time.min, tzinfo=timezone.get_current_timezone()
    )


class Schedules:
    """Which schedule applies to an item: its agency's own for the category, else the default."""

    def __init__(self, schedules: Iterable[RetentionSchedule] | None = None) -> None:
        if schedules is None:
            schedules = RetentionSchedule.objects.select_related("category", "holding_agency")
        self.all = list(schedules)
        self._own = {(s.category_id, s.holding_agency_id): s for s in self.all if s.holding_agency_id}
        self._default = {s.category_id: s for s in self.all if not s.holding_agency_id}
        self._overridden: dict[int, set[int]] = {}
        for category_id, agency_id in self._own:
            self._overridden.setdefault(category_id, set()).add(agency_id)

    def for_item(self, category_id: int, holding_agency_id: int) -> RetentionSchedule | None:
        return self._own.get((category_id, holding_agency_id)) or self._default.get(category_id)

    def items_governed_by(self, schedule: RetentionSchedule) -> Q:
        """The items `schedule` applies to, as a filter on item metadata."""
        where = Q(category_id=schedule.category_id)
        if schedule.holding_agency_id:
            return where & Q(holding_agency_id=schedule.holding_agency_id)
        others = self._overridden.get(schedule.category_id)
        return where & ~Q(holding_agency_id__in=sorted(others)) if others else where


def _recorded_by(day: dt.date) -> Q:
    return Q(recorded_at__lt=start_of_day_after(day))


REFRESH_BATCH = 5000


def refresh_person_dates() -> int:
    """Bring every person's derived trigger dates up to date (cohort exit, last contact); how many changed.

    Three grouped reads (people, cohort memberships, contact items) and writes of the rows that
    changed: the due-items query then joins one small table instead of aggregating per schedule.
    """
    cohort = {
        row["person_id"]: row
        for row in CohortMembership.objects.values("person_id")
        .annotate(left_on=Max("ended_on"), open=Count("id", filter=Q(ended_on__isnull=True)))
        .order_by()
    }
    contacted = {
        person_id: timezone.localdate(last)
        for person_id, last in InformationItem.objects.filter(category__code=CONTACT_CATEGORY)
        .values("person_id")
        .annotate(last=Max("recorded_at"))
        .order_by()
        .values_list("person_id", "last")
    }
    known = {
        row[0]: row[1:]
        for row in PersonDates.objects.values_list(
            "person_id", "was_in_cohort", "left_cohort_on", "last_contact_on"
        )
    }
    changed: list[PersonDates] = []
    for person_id in Person.objects.values_list("id", flat=True).iterator(chunk_size=REFRESH_BATCH):
        membership = cohort.get(person_id)
        derived = (
            membership is not None,
            membership["left_on"] if membership and membership["open"] == 0 else None,
            contacted.get(person_id),
        )
        if known.get(person_id) != derived:
            changed.append(
                PersonDates(
                    person_id=person_id,
                    was_in_cohort=derived[0],
                    left_cohort_on=derived[1],
                    last_contact_on=derived[2],
                )
            )
    for start in range(0, len(changed), REFRESH_BATCH):
        PersonDates.objects.bulk_create(
            changed[start : start + REFRESH_BATCH],
            update_conflicts=True,
            unique_fields=["person"],
            update_fields=["was_in_cohort", "left_cohort_on", "last_contact_on"],
        )
    return len(changed)


DATES = "person__retention_dates__"


def _trigger_passed(trigger: str, cutoff: dt.date) -> Q:
    """Items whose trigger event happened on or before `cutoff` (so the period has passed by today).

    A person never in the cohort, or never contacted, has no such event: their items count from when
    they were recorded instead, so nothing is kept for ever for want of a date.
    """
    if trigger == Trigger.RECORDED:
        return _recorded_by(cutoff)
    if trigger == Trigger.LEFT_COHORT:
        return Q(**{f"{DATES}left_cohort_on__lte": cutoff}) | (
            Q(**{f"{DATES}was_in_cohort": False}) & _recorded_by(cutoff)
        )
    if trigger == Trigger.LAST_CONTACT:
        return Q(**{f"{DATES}last_contact_on__lte": cutoff}) | (
            Q(**{f"{DATES}last_contact_on__isnull": True}) & _recorded_by(cutoff)
        )
    if trigger == Trigger.SENTENCE_END:
        # No sentence end known: not due (a sentence may still be running); accuracy review still applies.
        return Q(**{f"{DATES}sentence_ends_on__lte": cutoff})
    raise ValueError(f"unknown retention trigger {trigger!r}")


def due_filter(today: dt.date, schedules: Schedules) -> Q | None:
    """One filter for every item due on `today` under any schedule (None: no schedules at all).

    One OR of per-schedule conditions, so PostgreSQL reads the items table once whatever the number
    of schedules.
    """
    where: Q | None = None
    for schedule in schedules.all:
        cutoff = subtract_period(today, schedule.period, schedule.unit)
        branch = schedules.items_governed_by(schedule) & _trigger_passed(schedule.trigger, cutoff)
        where = branch if where is None else where | branch
    return where


def due_queryset(today: dt.date, schedules: Schedules):
    """The items due on `today` as one query (metadata columns only), or None with no schedules."""
    where = due_filter(today, schedules)
    if where is None:
        return None
    # NOT EXISTS (an anti-join), not NOT IN: it stays one pass however long the queue grows.
    waiting = RetentionReview.objects.filter(item_id=OuterRef("id"), status=ReviewStatus.OPEN)
    retained = ItemRetention.objects.filter(item_id=OuterRef("id"), retain_until__gt=today)
    return (
        InformationItem.objects.filter(status__in=HELD_STATUSES)
        .filter(where)
        .filter(~Exists(waiting), ~Exists(retained))
        .order_by()
        .values_list(*ITEM_COLUMNS)
    )


def due_items(
    today: dt.date, *, schedules: Schedules | None = None, chunk_size: int = 20_000, refresh: bool = True
) -> Iterator[DueItem]:
    """Every item still held whose retention has ended by `today`, not already waiting for a decision
    and not retained by a decision until after `today`: what the sweep has left to do.
    """
    schedules = schedules or Schedules()
    if refresh:
        refresh_person_dates()
    rows = due_queryset(today, schedules)
    if rows is None:
        return
    for item_id, person_id, agency_id, category_id, recorded_at in rows.iterator(chunk_size=chunk_size):
        schedule = schedules.for_item(category_id, agency_id)
        if schedule is not None:
            yield DueItem(item_id, person_id, agency_id, category_id, recorded_at, schedule)


def trigger_dates(person_ids: Iterable[uuid.UUID]) -> dict[str, dict[uuid.UUID, dt.date]]:
    """Per trigger, each person's trigger date (where they have one), to say when an item fell due."""
    dates: dict[str, dict[uuid.UUID, dt.date]] = {
        Trigger.LEFT_COHORT: {},
        Trigger.LAST_CONTACT: {},
        Trigger.SENTENCE_END: {},
    }
    rows = PersonDates.objects.filter(person_id__in=set(person_ids)).values_list(
        "person_id", "left_cohort_on", "last_contact_on", "sentence_ends_on"
    )
    for person_id, left_on, contact_on, sentence_end in rows:
        for trigger, day in (
            (Trigger.LEFT_COHORT, left_on),
            (Trigger.LAST_CONTACT, contact_on),
            (Trigger.SENTENCE_END, sentence_end),
        ):
            if day is not None:
                dates[trigger][person_id] = day
    return dates


@dataclass(frozen=True)
class ItemFacts:
    """What retention pages may say about an item: who, which agency, what kind, when. Never content."""

    item_id: uuid.UUID
    person_id: uuid.UUID
    person_name: str
    holding_agency_id: int
    holding_agency_name: str
    category_id: int
    category_name: str
    recorded_at: dt.datetime
    review_by: dt.date
    status: str
    restricted_reason: str
    restricted_at: dt.datetime | None

    @property
    def is_restricted(self) -> bool:
        return self.restricted_at is not None


FACT_COLUMNS = (
    "id",
    "person_id",
    "person__given_name",
    "person__family_name",
    "holding_agency_id",
    "holding_agency__name",
    "category_id",
    "category__name",
    "recorded_at",
    "review_by",
    "status",
    "restricted_reason",
    "restricted_at",
)


def _facts(row: tuple[Any, ...]) -> ItemFacts:
    (item_id, person_id, given, family, agency_id, agency, category_id, category, recorded_at, review_by,
     status, restricted_reason, restricted_at) = row  # fmt: skip
    return ItemFacts(
        item_id, person_id, f"{given} {family}", agency_id, agency, category_id, category, recorded_at,
        review_by, status, restricted_reason, restricted_at,
    )  # fmt: skip


def item_facts(item_id: uuid.UUID | str) -> ItemFacts | None:
    """One item's metadata, or None if there is no such item."""
    try:
        item_id = uuid.UUID(str(item_id))
    except ValueError:
        return None
    row = InformationItem.objects.filter(id=item_id).values_list(*FACT_COLUMNS).first()
    return _facts(row) if row else None


def stale_items(
    holding_agency_id: int,
    today: dt.date,
    *,
    category_code: str = "",
    past_by_days: int = 0,
    order: tuple[str, ...] = ("review_by", "id"),
):
    """Live items the agency holds whose accuracy review date has passed, oldest first (a queryset of
    metadata rows: page it), narrowed to a category or to those past it by more than `past_by_days`.
    Uses the (holding agency, review by) index."""
    items = InformationItem.objects.filter(
        holding_agency_id=holding_agency_id,
        review_by__lt=today - dt.timedelta(days=past_by_days),
        status=ItemStatus.LIVE,
    )
    if category_code:
        items = items.filter(category__code=category_code)
    return items.order_by(*order).values_list(*FACT_COLUMNS)


def facts_of_items(item_ids: Iterable[uuid.UUID]) -> list[ItemFacts]:
    """The metadata of each of these items that exists."""
    return facts_of(InformationItem.objects.filter(id__in=list(item_ids)).values_list(*FACT_COLUMNS))


def facts_of(rows: Iterable[tuple[Any, ...]]) -> list[ItemFacts]:
    return [_facts(row) for row in rows]


def set_restriction(item_id: uuid.UUID, *, reason: str, at: dt.datetime | None) -> int:
    """Write an item's restriction columns (empty reason and no time lift it); how many rows changed."""
    return InformationItem.objects.filter(id=item_id).update(restricted_reason=reason, restricted_at=at)
