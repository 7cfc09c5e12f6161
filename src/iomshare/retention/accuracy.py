"""The accuracy checks queue at scale: filter, sort, and one decision for many items at once (issue 20).

A decision on many items is the single-item service applied to each inside one transaction: a new
review date is records' correction (records.services.correct_item), a dispute is retention's
restriction (services.restrict_item). The same checks, the same ledger entries, and all or nothing.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from django.db import models, transaction
from django.utils import timezone

from iomshare.errors import DomainError, InvalidInput
from iomshare.partnership.models import Role, StaffMember
from iomshare.records import selectors as door
from iomshare.records import services as records
from iomshare.records.models import ItemStatus
from iomshare.retention import bulk, due, services
from iomshare.retention.bulk import QueueFilters

ACCURACY = bulk.QueueShape(
    due_choices={
        "30": "Past it by more than 30 days",
        "90": "Past it by more than 90 days",
        "365": "Past it by more than a year",
    },
    sorts={
        "review": ("Review date, oldest first", ("review_by", "id")),
        "-review": ("Review date, newest first", ("-review_by", "-id")),
        "category": ("Kind of information", ("category__name", "review_by", "id")),
        "person": ("Person", ("person__family_name", "person__given_name", "review_by", "id")),
    },
)


class AccuracyDecision(models.TextChoices):
    ACCURATE = "accurate", "It is still accurate: set the next date to check it"
    RESTRICT = "restrict", "Its accuracy is disputed: restrict it until it is corrected or withdrawn"


def decisions_for(viewer: StaffMember) -> list[tuple[str, str]]:
    """The decisions `viewer` may take: restricting is for the information-governance lead."""
    if viewer.role == Role.IG_LEAD:
        return list(AccuracyDecision.choices)
    return [(AccuracyDecision.ACCURATE.value, AccuracyDecision.ACCURATE.label)]


def filters_from(params) -> QueueFilters:
    return ACCURACY.filters_from(params)


def filtered_items(agency_id: int, filters: QueueFilters, *, today: dt.date | None = None):
    """The agency's items past their review date, narrowed and ordered as `filters` say (metadata rows)."""
    return due.stale_items(
        agency_id,
        today or timezone.localdate(),
        category_code=filters.category,
        past_by_days=int(filters.due or 0),
        order=ACCURACY.order_of(filters),
    )


def chosen_items(item_ids: Sequence[str]) -> list[uuid.UUID]:
    """The items chosen on the queue page; an error if none (or too many) were."""
    return bulk.chosen(item_ids, uuid.UUID, field="selected", none_chosen="Select the items you have checked")


def _check_form(decision: str, reason: str, review_by: dt.date | None) -> None:
    """Every problem with the decision itself, at once, before any item is touched."""
    errors: dict[str, str] = {}
    if decision not in AccuracyDecision.values:
        errors["decision"] = "Choose what you found when you checked the selected items"
    if not (reason or "").strip():
        errors["reason"] = "Enter how you checked the information, or what is disputed"
    if decision == AccuracyDecision.ACCURATE and review_by is None:
        errors["review_by"] = "Enter the date to check the information again"
    if errors:
        raise InvalidInput("Nothing was decided: correct the problems listed.", field_errors=errors)


@transaction.atomic
def decide_many(
    item_ids: Sequence[str],
    *,
    by: StaffMember,
    decision: str,
    reason: str,
    review_by: dt.date | None = None,
) -> int:
    """Take one decision, with one reason, on every chosen item past its review date; how many.

    Each item goes through the single-item service, so each is checked and on the ledger as its own
    decision; if one cannot be decided, the transaction is undone and none is.
    """
    ids = chosen_items(item_ids)
    _check_form(decision, reason, review_by)
    facts = {fact.item_id: fact for fact in due.facts_of_items(ids)}
    today = timezone.localdate()
    for item_id in ids:
        fact = facts.get(item_id)
        if (
            fact is None
            or fact.holding_agency_id != by.agency_id
            or fact.status != ItemStatus.LIVE
            or fact.review_by >= today
        ):
            raise bulk.no_longer_there("selected")
        try:
            _decide_one(fact, by=by, decision=decision, reason=reason, review_by=review_by)
        except DomainError as error:
            raise InvalidInput(
                f"Nothing was decided: {fact.category_name.lower()} information about {fact.person_name}"
                f" could not be. {error.message}",
                field_errors=error.field_errors,
            ) from error
    return len(ids)


def _decide_one(
    fact: due.ItemFacts, *, by: StaffMember, decision: str, reason: str, review_by: dt.date | None
) -> None:
    if decision == AccuracyDecision.RESTRICT:
        services.restrict_item(fact.item_id, by=by, reason=reason)
        return
    # The item is read through the door (its own agency's item, on the ledger) to be corrected.
    item = door.item_for(by, fact.item_id)
    if item is None:
        raise bulk.no_longer_there("selected")
    records.correct_item(item, by=by, changes={"review_by": review_by}, reason=reason)
