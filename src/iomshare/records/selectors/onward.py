"""The door for sending items onward with a referral: checked for the receiver, read by the receiver.

A referral to another agency's service may carry items the referrer chose. Nothing here widens
what anyone sees: an item may be sent only if the referrer sees it for the referral's purpose and
the door would show it to the service's contact for that purpose (a protocol clause, or the
receiver's own agency); the receiving agency's staff then read it through the door like any read,
for that purpose, each under their own sight, with a disclosure entry on the ledger.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from iomshare.errors import NotFound
from iomshare.partnership.models import StaffMember
from iomshare.people.models import Person
from iomshare.records.models import HandlingCode, InformationItem
from iomshare.records.selectors.sight import Sight, disclosed, person_items, record_read, sight_for


@dataclass(frozen=True)
class OnwardCheck:
    """Whether one chosen item may go with a referral, and the clause that lets the receiver see it."""

    item_id: uuid.UUID
    holding_agency_id: int | None = None
    category_code: str = ""
    clause: str = ""  # the protocol clause relied on, "own" for the receiver's own agency's item
    refusal: str = ""  # why it may not be sent: empty when it may

    @property
    def may_send(self) -> bool:
        return not self.refusal


def _receiver_refusal(sight: Sight, facts: tuple, receiver: StaffMember) -> str:
    """Why the receiver's door would not show an item: the protocol's own words where it has them."""
    agency_id, category_code, sensitivity, handling_code, restricted_at = facts
    name = receiver.agency.name if receiver.agency is not None else "the receiving agency"
    if handling_code != HandlingCode.SHAREABLE:
        return "Its holding agency does not allow it to be shared onward."
    if restricted_at is not None:
        return "It is restricted while its accuracy is disputed."
    refusal = sight.grid.refusal_for(agency_id, category_code, sensitivity) if sight.grid else None
    if refusal is not None:
        return f"{name} may not see it for this purpose. {refusal.message}"
    return f"No protocol clause in force lets {name} see it for this purpose."


def check_onward_sharing(
    sender: StaffMember, receiver: StaffMember, person: Person, item_ids: list[uuid.UUID], *, purpose: str
) -> list[OnwardCheck]:
    """For each of `item_ids`, whether `sender` may send it to `receiver` for `purpose`, and under
    which clause; metadata only (ids, agencies, categories), never content, so nothing is disclosed
    and nothing is put on the ledger here (sending it is, by the caller)."""
    sender_sight = sight_for(sender, person.pk, purpose)
    seen = set(person_items(sender_sight, person).filter(pk__in=item_ids).values_list("pk", flat=True))
    try:
        receiver_sight: Sight | None = sight_for(receiver, person.pk, purpose)
    except NotFound:
        receiver_sight = None
    facts = {
        row[0]: row[1:]
        for row in InformationItem.objects.filter(pk__in=seen).values_list(
            "pk", "holding_agency_id", "category__code", "sensitivity", "handling_code", "restricted_at"
        )
    }
    shown = (
        set(person_items(receiver_sight, person).filter(pk__in=seen).values_list("pk", flat=True))
        if receiver_sight is not None
        else set()
    )
    checks = []
    for item_id in item_ids:
        if item_id not in seen:
            checks.append(
                OnwardCheck(
                    item_id, refusal="It is not an item about this person that you can see for this purpose."
                )
            )
            continue
        agency_id, category_code, sensitivity, *_ = facts[item_id]
        if receiver_sight is None:
            refusal = "The receiving agency's contact may not see this person (an access list)."
            checks.append(OnwardCheck(item_id, agency_id, category_code, refusal=refusal))
        elif item_id not in shown:
            refusal = _receiver_refusal(receiver_sight, facts[item_id], receiver)
            checks.append(OnwardCheck(item_id, agency_id, category_code, refusal=refusal))
        else:
            grant = receiver_sight.grid.grant_for(agency_id, category_code) if receiver_sight.grid else None
            own = agency_id == receiver.agency_id
            clause = (
                "own" if own else (grant.clause_id if grant and sensitivity <= grant.max_sensitivity else "")
            )
            if not clause:  # shown only by the receiver's own one-off disclosure: not a clause to send under
                checks.append(
                    OnwardCheck(
                        item_id,
                        agency_id,
                        category_code,
                        refusal="No protocol clause in force lets the receiving agency see it for this purpose.",
                    )
                )
            else:
                checks.append(OnwardCheck(item_id, agency_id, category_code, clause=clause))
    return checks


def sent_items_for(
    viewer: StaffMember, person: Person, item_ids: list[uuid.UUID], *, purpose: str, referral: int
) -> list[InformationItem]:
    """The items sent with a referral that `viewer` may see for its purpose, through the door: one
    disclosure entry names them (and the referral). Items the viewer may not see are left out."""
    sight = sight_for(viewer, person.pk, purpose)
    items = list(
        person_items(sight, person)
        .filter(pk__in=item_ids)
        .select_related("holding_agency", "category", "author")
        .order_by("-recorded_at", "id")
    )
    disclosed(sight, items)
    record_read(sight, person, items, service_referral=referral)
    return items


def exchange_notes_for(
    viewer: StaffMember, person: Person, item_ids: list[uuid.UUID], *, purpose: str | None
) -> dict[uuid.UUID, InformationItem]:
    """What was shared or agreed in informal exchanges about `person` that `viewer` may read for
    `purpose` (None: their own agency's notes only), by item id; one disclosure entry if any is shown."""
    sight = sight_for(viewer, person.pk, purpose)
    items = list(
        person_items(sight, person)
        .filter(pk__in=item_ids)
        .select_related("holding_agency", "category", "author")
    )
    disclosed(sight, items)
    if items:
        record_read(sight, person, items, informal_exchanges=True)
    return {item.pk: item for item in items}
