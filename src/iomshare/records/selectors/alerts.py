"""The door for alerts: what one recipient may be told of one event, on the ledger. Part of the one
door (records.selectors)."""

from __future__ import annotations

from dataclasses import dataclass

from iomshare.ledger import services as ledger
from iomshare.ledger.models import Action
from iomshare.partnership.models import Agency, StaffMember
from iomshare.people.visibility import may_know
from iomshare.records.models import (
    Category,
    HandlingCode,
    InformationItem,
)
from iomshare.records.selectors.sight import clauses_of, disclosed, sight_for

# --- alerts: what one recipient may be told of one event -------------------------------------------


@dataclass(frozen=True)
class AlertSight:
    """What an alert to one recipient may say: the item (if they may see it), else who holds
    something new and of what kind (if its existence may be known), else nothing about the item."""

    may_know_person: bool
    item: InformationItem | None = None
    withheld_agency: Agency | None = None
    withheld_category: Category | None = None


def alert_for(recipient: StaffMember, *, person_id, item_id=None, purpose: str, details: dict) -> AlertSight:
    """The door for alerts: decide what `recipient` may be told, and put what they are told on the ledger.

    An alert is a disclosure, so it is decided here like any read: access lists first, then the
    recipient's grid for `purpose`, record-level rules and one-off disclosures.
    """
    if recipient.agency_id is None or not may_know(recipient, person_id, purpose):
        return AlertSight(may_know_person=False)
    if item_id is None:
        ledger.record(Action.NOTIFICATION, by=recipient, person=person_id, purpose=purpose, details=details)
        return AlertSight(may_know_person=True)
    sight = sight_for(recipient, person_id, purpose)
    item = (
        InformationItem.objects.live()
        .filter(pk=item_id)
        .filter(sight.condition)
        .select_related("holding_agency", "category")
        .first()
    )
    if item is not None:
        disclosed(sight, [item])
        ledger.record(
            Action.NOTIFICATION,
            by=recipient,
            person=person_id,
            items=[item],
            purpose=purpose,
            clauses=clauses_of([item]),
            details=details,
        )
        return AlertSight(may_know_person=True, item=item)
    facts = (
        InformationItem.objects.live()
        .filter(pk=item_id, handling_code=HandlingCode.SHAREABLE, restricted_at__isnull=True)
        .values_list("holding_agency_id", "category__code", "sensitivity")
        .first()
    )
    refusal = sight.grid.refusal_for(*facts) if facts and sight.grid else None
    if refusal is None or not refusal.may_disclose_existence:
        return AlertSight(may_know_person=True)
    assert facts is not None  # a refusal was found for them
    agency, category = Agency.objects.get(pk=facts[0]), Category.objects.get(code=facts[1])
    ledger.record(
        Action.NOTIFICATION,
        by=recipient,
        person=person_id,
        purpose=purpose,
        details={**details, "withheld": {"agency": agency.code, "category": category.code}},
    )
    return AlertSight(may_know_person=True, withheld_agency=agency, withheld_category=category)
