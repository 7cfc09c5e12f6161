"""The retention queue at scale: filter, sort, and one decision for many reviews at once.

A bulk decision is the per-item service (services.retain) applied to each chosen review inside one
transaction: the same checks, the same ledger entries, and all or nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from iomshare.errors import InvalidInput
from iomshare.partnership.models import StaffMember
from iomshare.retention import selectors, services
from iomshare.retention.models import RetentionReview

T = TypeVar("T")
MAX_AT_ONCE = 500
DUE_CHOICES = {"overdue": "Overdue", "30": "Due in the next 30 days"}
SORTS = {
    "due": ("Due date, oldest first", ("due_on", "id")),
    "-due": ("Due date, newest first", ("-due_on", "-id")),
    "category": ("Kind of information", ("category__name", "due_on", "id")),
    "person": ("Person", ("person__family_name", "person__given_name", "due_on", "id")),
}


@dataclass(frozen=True)
class QueueFilters:
    category: str = ""
    due: str = ""
    sort: str = "due"

    @property
    def is_filtered(self) -> bool:
        return bool(self.category or self.due)


@dataclass(frozen=True)
class QueueShape:
    """What one IG queue page offers: its time filter's choices and its sorts (the first is the default).

    The retention review queue and the accuracy checks queue share the filter form and its parsing.
    """

    due_choices: dict[str, str]
    sorts: dict[str, tuple[str, tuple[str, ...]]]

    def filters_from(self, params) -> QueueFilters:
        """The filters a queue page was asked for; anything unknown is ignored, not an error."""
        default = next(iter(self.sorts))
        due = params.get("due", "")
        sort = params.get("sort", default)
        return QueueFilters(
            category=params.get("category", "")[:60],
            due=due if due in self.due_choices else "",
            sort=sort if sort in self.sorts else default,
        )

    def order_of(self, filters: QueueFilters) -> tuple[str, ...]:
        return self.sorts[filters.sort][1]

    @property
    def sort_labels(self) -> dict[str, str]:
        return {key: label for key, (label, _order) in self.sorts.items()}


REVIEWS = QueueShape(DUE_CHOICES, SORTS)


def filters_from(params) -> QueueFilters:
    """The review queue's filters (see QueueShape.filters_from)."""
    return REVIEWS.filters_from(params)


def filtered_reviews(agency_id: int, filters: QueueFilters, *, today: dt.date | None = None) -> QuerySet:
    """The agency's open reviews narrowed and ordered as `filters` say."""
    today = today or timezone.localdate()
    reviews = selectors.open_reviews(agency_id)
    if filters.category:
        reviews = reviews.filter(category__code=filters.category)
    if filters.due == "overdue":
        reviews = reviews.filter(due_on__lt=today)
    elif filters.due == "30":
        reviews = reviews.filter(due_on__lte=today + dt.timedelta(days=30))
    return reviews.order_by(*REVIEWS.order_of(filters))


def chosen(
    values: Sequence[str | int], parse: Callable[[str], T], *, field: str, none_chosen: str
) -> list[T]:
    """The distinct rows chosen on a queue page, in order; an error naming `field` if none or too many.

    Values that do not parse are dropped: a tampered form chooses nothing rather than something else.
    """
    found: dict[T, None] = {}
    for value in values:
        try:
            found[parse(str(value))] = None
        except ValueError:
            continue
    if not found:
        raise InvalidInput(
            "Nothing was decided: select at least one item.",
            field_errors={field: none_chosen},
        )
    if len(found) > MAX_AT_ONCE:
        raise InvalidInput(
            f"Nothing was decided: choose at most {MAX_AT_ONCE} items at once.",
            field_errors={field: f"Select {MAX_AT_ONCE} items or fewer"},
        )
    return list(found)


def no_longer_there(field: str) -> InvalidInput:
    return InvalidInput(
        "Nothing was decided: one of the chosen items is no longer in the queue.",
        field_errors={field: "Reload the page and select the items again"},
    )


@transaction.atomic
def retain_many(
    review_ids: Sequence[str | int],
    *,
    by: StaffMember,
    reason: str,
    retain_until: dt.date | None,
) -> list[RetentionReview]:
    """Keep every chosen item until `retain_until` for one `reason`: each through services.retain,
    so each is checked and on the ledger as a single decision; if one fails, none is kept."""
    ids = sorted(chosen(review_ids, _review_id, field="reviews", none_chosen="Select the items to keep"))
    reviews = list(RetentionReview.objects.filter(pk__in=ids).order_by("pk"))
    if len(reviews) != len(ids):
        raise no_longer_there("reviews")
    return [services.retain(review, by=by, reason=reason, retain_until=retain_until) for review in reviews]


def _review_id(value: str) -> int:
    if not value.isdigit():
        raise ValueError(value)
    return int(value)
