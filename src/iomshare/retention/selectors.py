"""Reads for retention pages: the queue, holds, schedules, stale items. Never item content."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from iomshare.partnership.models import StaffMember
from iomshare.people.visibility import known_people
from iomshare.records.models import Category, ItemStatus
from iomshare.retention import due
from iomshare.retention.models import LegalHold, RetentionReview, RetentionSchedule, ReviewStatus


def is_stale(item: Any, today: dt.date | None = None) -> bool:
    """Whether a live item's accuracy review date has passed: viewers should be told to check it."""
    review_by = getattr(item, "review_by", None)
    if review_by is None or getattr(item, "status", ItemStatus.LIVE) != ItemStatus.LIVE:
        return False
    return review_by < (today or timezone.localdate())


def open_reviews(agency_id: int) -> QuerySet[RetentionReview]:
    """The agency's review queue, longest overdue first."""
    return (
        RetentionReview.objects.filter(holding_agency_id=agency_id, status=ReviewStatus.OPEN)
        .select_related("person", "category", "schedule")
        .order_by("due_on", "id")
    )


def decided_reviews(agency_id: int, limit: int = 20) -> list[RetentionReview]:
    return list(
        RetentionReview.objects.filter(holding_agency_id=agency_id)
        .exclude(status=ReviewStatus.OPEN)
        .select_related("person", "category", "decided_by")
        .order_by("-decided_at", "-id")[:limit]
    )


def holds_by_target(reviews: list[RetentionReview]) -> dict[int, list[LegalHold]]:
    """For each review (by id), the legal holds in force on its person or item."""
    people = {review.person_id for review in reviews}
    items = {review.item_id for review in reviews}
    holds = list(
        LegalHold.objects.filter(lifted_at__isnull=True, person_id__in=people).select_related(
            "placed_by", "placing_agency", "person"
        )
    ) + list(
        LegalHold.objects.filter(lifted_at__isnull=True, item_id__in=items).select_related(
            "placed_by", "placing_agency"
        )
    )
    return {
        review.pk: [h for h in holds if h.person_id == review.person_id or h.item_id == review.item_id]
        for review in reviews
    }


def visible_holds(viewer: StaffMember) -> QuerySet[LegalHold]:
    """Every agency's holds (they block disposal of anything about the person), but a hold naming a
    person only if `viewer` may know them (invariant 10)."""
    return LegalHold.objects.select_related("person", "placed_by", "placing_agency", "lifted_by").filter(
        Q(person__isnull=True) | Q(person__in=known_people(viewer))
    )


def holds_for(viewer: StaffMember) -> tuple[list[LegalHold], list[LegalHold]]:
    """Holds in force, and the ones lifted lately, that `viewer` may see (see visible_holds)."""
    base = visible_holds(viewer)
    return list(base.filter(lifted_at__isnull=True)), list(base.filter(lifted_at__isnull=False)[:20])


@dataclass(frozen=True)
class ScheduleRow:
    """One category's retention for an agency: its own schedule if it has one, else the default."""

    category: Category
    own: RetentionSchedule | None
    default: RetentionSchedule | None

    @property
    def applies(self) -> RetentionSchedule | None:
        return self.own or self.default


def schedules_for(agency_id: int) -> list[ScheduleRow]:
    schedules = list(
        RetentionSchedule.objects.filter(holding_agency_id__in=[agency_id]).select_related("category")
    ) + list(RetentionSchedule.objects.filter(holding_agency__isnull=True).select_related("category"))
    own = {s.category_id: s for s in schedules if s.holding_agency_id}
    default = {s.category_id: s for s in schedules if not s.holding_agency_id}
    return [ScheduleRow(c, own.get(c.pk), default.get(c.pk)) for c in Category.objects.order_by("name")]


def stale_items(agency_id: int, today: dt.date | None = None):
    """The agency's live items past their accuracy review date (metadata rows, oldest first)."""
    return due.stale_items(agency_id, today or timezone.localdate())
