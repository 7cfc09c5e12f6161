"""The retention queue at scale: filter, sort, and one decision for many reviews at once.

A bulk decision is the per-item service (services.retain) applied to each chosen review inside one
transaction: the same checks, the same ledger entries, and all or nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from iomshare.errors import InvalidInput
from iomshare.partnership.models import StaffMember
from iomshare.retention import selectors, services
from iomshare.retention.models import RetentionReview

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


def filters_from(params) -> QueueFilters:
    """The filters a queue page was asked for; anything unknown is ignored, not an error."""
    due = params.get("due", "")
    sort = params.get("sort", "due")
    return QueueFilters(
        category=params.get("category", "")[:60],
        due=due if due in DUE_CHOICES else "",
        sort=sort if sort in SORTS else "due",
    )


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
    return reviews.order_by(*SORTS[filters.sort][1])


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
    ids = sorted({int(i) for i in review_ids if str(i).isdigit()})
    if not ids:
        raise InvalidInput(
            "Nothing was decided: select at least one item.",
            field_errors={"reviews": "Select the items to keep"},
        )
    if len(ids) > MAX_AT_ONCE:
        raise InvalidInput(
            f"Nothing was decided: choose at most {MAX_AT_ONCE} items at once.",
            field_errors={"reviews": f"Select {MAX_AT_ONCE} items or fewer"},
        )
    reviews = list(RetentionReview.objects.filter(pk__in=ids).order_by("pk"))
    if len(reviews) != len(ids):
        raise InvalidInput(
            "Nothing was decided: one of the chosen items is no longer in the queue.",
            field_errors={"reviews": "Reload the page and select the items again"},
        )
    return [services.retain(review, by=by, reason=reason, retain_until=retain_until) for review in reviews]
