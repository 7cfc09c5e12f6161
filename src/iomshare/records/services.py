"""Business actions on information items: recording, correcting and withdrawing.

Bulk recording lives in `records.bulk`, disposal in `records.disposal`, the field rules in
`records.item_rules`; they are re-exported here so callers keep importing from `records.services`.

The holding agency stays the controller (invariant 4): only its staff correct or withdraw its items,
the values replaced are kept, and everyone the ledger shows received the item is notified.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from iomshare.alerts import outbox
from iomshare.alerts import services as alerts
from iomshare.alerts.models import EventKind
from iomshare.errors import InvalidInput, NotPermitted
from iomshare.ledger import selectors as ledger_selectors
from iomshare.ledger import services as ledger
from iomshare.ledger.models import Action
from iomshare.partnership.models import Role, StaffMember
from iomshare.people.models import Person
from iomshare.records import key_store
from iomshare.records.bulk import BULK_BATCH_SIZE, BulkRecorder, record_items_in_bulk
from iomshare.records.copy_rows import COPY_ESCAPES, COPY_NULL
from iomshare.records.disposal import ROLES_THAT_DISPOSE, DisposalCertificate, dispose_items
from iomshare.records.item_rules import (
    MAX_REVIEW_INTERVAL,
    ROLES_THAT_RECORD,
    SENSITIVITY_VALUES,
    item_errors,
    item_field_problems,
)
from iomshare.records.models import (
    Category,
    CorrectionKind,
    InformationItem,
    ItemCorrection,
    ItemStatus,
    Sensitivity,
)

__all__ = [
    "BULK_BATCH_SIZE",
    "COPY_ESCAPES",
    "COPY_NULL",
    "CORRECTABLE_FIELDS",
    "MAX_REVIEW_INTERVAL",
    "ROLES_THAT_CORRECT",
    "ROLES_THAT_DISPOSE",
    "ROLES_THAT_RECORD",
    "SENSITIVITY_VALUES",
    "BulkRecorder",
    "DisposalCertificate",
    "correct_item",
    "dispose_items",
    "item_field_problems",
    "reassign_items",
    "record_item",
    "record_items_in_bulk",
    "restore_items",
    "withdraw_item",
]


@transaction.atomic
def record_item(  # noqa: PLR0913 (the item's fields, each a keyword named at every call)
    *,
    by: StaffMember,
    person: Person,
    category: Category,
    summary: str,
    sensitivity: int = Sensitivity.OFFICIAL,
    details: str = "",
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
    review_by: dt.date | None = None,
    payload: dict[str, Any] | None = None,
) -> InformationItem:
    """Record an item held by `by`'s own agency: nobody records on another agency's behalf."""
    if by.agency_id is None or by.role not in ROLES_THAT_RECORD:
        raise NotPermitted("Only staff of a partner agency can record information about a person.")
    today = timezone.localdate()
    valid_from = valid_from or today
    review_by = review_by or today + dt.timedelta(days=365)
    summary = (summary or "").strip()
    errors = item_errors(
        summary=summary,
        details=details,
        sensitivity=sensitivity,
        valid_from=valid_from,
        valid_to=valid_to,
        review_by=review_by,
    )
    if errors:
        raise InvalidInput("The item was not recorded: correct the problems listed.", field_errors=errors)
    # Built, then given its content, as objects.create would: the content properties seal on save.
    item = InformationItem(
        person=person,
        holding_agency_id=by.agency_id,
        author=by,
        category=category,
        sensitivity=sensitivity,
        valid_from=valid_from,
        valid_to=valid_to,
        review_by=review_by,
    )
    item.summary, item.details, item.payload = summary, details, payload or {}
    item.save(force_insert=True)
    ledger.record(
        Action.ITEM_RECORDED, by=by, person=person, items=[item], details={"category": category.code}
    )
    row = {"person_id": person.pk, "category_id": category.pk, "payload": payload}
    outbox.write(
        outbox.events_for_items([row], [item.pk], agency_id=by.agency_id, by_id=by.pk, known=outbox.signals())
    )
    return item


CORRECTABLE_FIELDS = (
    "category",
    "sensitivity",
    "summary",
    "details",
    "valid_from",
    "valid_to",
    "review_by",
    "payload",
)
ROLES_THAT_CORRECT = ROLES_THAT_RECORD - {Role.VOLUNTEER}


def _check_holder(item: InformationItem, by: StaffMember, verb: str) -> None:
    if by.agency_id is None or by.agency_id != item.holding_agency_id or by.role not in ROLES_THAT_CORRECT:
        raise NotPermitted(f"Only staff of the agency that holds this information can {verb} it.")
    if item.status == ItemStatus.WITHDRAWN:
        raise InvalidInput(f"This information has been withdrawn, so it cannot be {verb}ed.")
    if item.status == ItemStatus.DISPOSED:
        raise InvalidInput(f"This information has been disposed of, so it cannot be {verb}ed.")


def _reason(reason: str, verb: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(
            f"The information was not {verb}: give a reason.",
            field_errors={"reason": f"Enter why the information is being {verb}"},
        )
    if len(reason) > 2000:
        raise InvalidInput(
            f"The information was not {verb}: the reason is too long.",
            field_errors={"reason": "The reason must be 2,000 characters or fewer"},
        )
    return reason


def _as_record(value: Any) -> Any:
    """A field value as kept in the correction history (JSON)."""
    if isinstance(value, Category):
        return value.code
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _tell_recipients(
    item: InformationItem, *, by: StaffMember, kind: str, correction: ItemCorrection
) -> None:
    recipient_ids = ledger_selectors.recipients_of(item.pk, item.person_id) - {by.pk}
    recipients = StaffMember.objects.filter(pk__in=recipient_ids, is_active=True)
    person = item.person
    what = f"{item.category.name.lower()} information about {person.full_name}"
    if kind == CorrectionKind.WITHDRAWN:
        message = f"{item.holding_agency.name} has withdrawn {what} that you saw. Do not rely on it."
    else:
        message = (
            f"{item.holding_agency.name} has corrected {what} that you saw. Check the corrected version."
        )
    outbox.event(
        EventKind.WITHDRAWAL if kind == CorrectionKind.WITHDRAWN else EventKind.CORRECTION,
        person_id=person.pk,
        item_id=item.pk,
        agency_id=item.holding_agency_id,
        by_id=by.pk,
    )
    alerts.notify(
        recipients,
        message=message,
        link=reverse("people:person", args=[person.pk]),
        reason=f"item_{kind}",
        person=person,
        items=[item],
        by=by,
    )


def _correction(
    item: InformationItem,
    *,
    by: StaffMember,
    kind: str,
    reason: str,
    previous: dict[str, Any],
    changes: dict[str, Any],
) -> ItemCorrection:
    """Saved as objects.create would, its history given after construction: it is sealed on save."""
    correction = ItemCorrection(item=item, by=by, kind=kind, reason=reason)
    correction.previous, correction.changes = previous, changes
    correction.save(force_insert=True)
    return correction


@transaction.atomic
def correct_item(
    item: InformationItem, *, by: StaffMember, changes: dict[str, Any], reason: str
) -> ItemCorrection:
    """Correct fields of an item held by `by`'s agency; keep the old values; notify who received it."""
    _check_holder(item, by, "correct")
    reason = _reason(reason, "corrected")
    unknown = sorted(set(changes) - set(CORRECTABLE_FIELDS))
    if unknown:
        raise InvalidInput(
            "The information was not corrected: some fields cannot be corrected.",
            field_errors={name: f"{name} cannot be corrected" for name in unknown},
        )
    if "category" in changes and not isinstance(changes["category"], Category):
        category = Category.objects.filter(code=str(changes["category"])).first()
        if category is None:
            raise InvalidInput(
                "The information was not corrected: correct the problems listed.",
                field_errors={"category": f"There is no category with the code {changes['category']!r}"},
            )
        changes = {**changes, "category": category}
    if "summary" in changes:
        changes = {**changes, "summary": (changes["summary"] or "").strip()}
    changed = {name: value for name, value in changes.items() if getattr(item, name) != value}
    if not changed:
        raise InvalidInput("Nothing was corrected: the values given are the same as the current ones.")
    merged = {name: changed.get(name, getattr(item, name)) for name in CORRECTABLE_FIELDS}
    errors = item_errors(
        summary=merged["summary"],
        details=merged["details"],
        sensitivity=merged["sensitivity"],
        valid_from=merged["valid_from"],
        valid_to=merged["valid_to"],
        review_by=merged["review_by"],
        review_may_be_past="review_by" not in changed,
    )
    if errors:
        raise InvalidInput(
            "The information was not corrected: correct the problems listed.", field_errors=errors
        )
    previous = {name: _as_record(getattr(item, name)) for name in changed}
    for name, value in changed.items():
        setattr(item, name, value)
    item.save(update_fields=list(changed))
    correction = _correction(
        item,
        by=by,
        kind=CorrectionKind.CORRECTED,
        reason=reason,
        previous=previous,
        changes={name: _as_record(value) for name, value in changed.items()},
    )
    ledger.record(
        Action.ITEM_CORRECTED,
        by=by,
        person=item.person_id,
        items=[item],
        # The reason stays in the (sealed) correction, not the append-only ledger: it may name the
        # person, and disposal must be able to remove it.
        details={"fields": sorted(changed), "correction_id": correction.pk},
    )
    if set(changed) != {"review_by"}:
        # A new date to check the item again changes nothing a recipient saw: telling them it was
        # "corrected" would send them to look for a change that is not there.
        _tell_recipients(item, by=by, kind=CorrectionKind.CORRECTED, correction=correction)
    return correction


@transaction.atomic
def withdraw_item(item: InformationItem, *, by: StaffMember, reason: str) -> ItemCorrection:
    """Withdraw an item held by `by`'s agency: nobody sees it again, and who received it is told."""
    _check_holder(item, by, "withdraw")
    reason = _reason(reason, "withdrawn")
    item.status = ItemStatus.WITHDRAWN
    item.save(update_fields=["status"])
    correction = _correction(
        item,
        by=by,
        kind=CorrectionKind.WITHDRAWN,
        reason=reason,
        previous={"status": ItemStatus.LIVE},
        changes={"status": ItemStatus.WITHDRAWN},
    )
    ledger.record(
        Action.ITEM_WITHDRAWN,
        by=by,
        person=item.person_id,
        items=[item],
        details={"correction_id": correction.pk},
    )
    _tell_recipients(item, by=by, kind=CorrectionKind.WITHDRAWN, correction=correction)
    return correction


def reassign_items(from_person: Person, to_person: Person, *, by: StaffMember | None) -> list[str]:
    """Move every item of `from_person` to `to_person` (identity merge); return the ids moved.

    Only records touches item rows: identity calls this and keeps the ids so an unmerge can put
    exactly these items back. Content is not changed, but it is re-sealed under `to_person`'s data
    keys, so a disposal always finds an item's key by its person and holding agency.
    """
    with transaction.atomic():
        items = list(InformationItem.objects.select_for_update().filter(person=from_person))
        _move_items(items, to_person)
    return [str(item.pk) for item in items]


def reassign_items_of_many(moves: dict[Any, Person], *, by: StaffMember | None) -> dict[Any, list[str]]:
    """Move every item of each person id in `moves` to the person it maps to (a linking run's
    merges, all at once); return, per person id moved from, the ids of its items moved.

    The bulk form of `reassign_items`: one query per thousand people instead of one per person.
    """
    moved: dict[Any, list[str]] = {}
    from_ids = list(moves)
    with transaction.atomic():
        for start in range(0, len(from_ids), 1000):
            chunk = from_ids[start : start + 1000]
            items = list(InformationItem.objects.select_for_update().filter(person_id__in=chunk))
            by_destination: dict[Any, list[InformationItem]] = {}
            for item in items:
                moved.setdefault(item.person_id, []).append(str(item.pk))
                by_destination.setdefault(moves[item.person_id].pk, []).append(item)
            for group in by_destination.values():
                _move_items(group, moves[group[0].person_id])
    return moved


def restore_items(item_ids: Iterable[str], to_person: Person, *, by: StaffMember | None) -> int:
    """Move the given items (by id) to `to_person` again (identity unmerge); return how many moved."""
    ids = [uuid.UUID(str(item_id)) for item_id in item_ids]
    with transaction.atomic():
        items = list(InformationItem.objects.select_for_update().filter(id__in=ids).exclude(person=to_person))
        _move_items(items, to_person)
    return len(items)


def _move_items(items: list[InformationItem], to_person: Person) -> None:
    """Give `items` to `to_person`, re-sealing their content and history under its data keys."""
    if not items:
        return
    corrections = list(ItemCorrection.objects.filter(item__in=items))
    by_id = {item.pk: item for item in items}
    for correction in corrections:
        correction.item = by_id[correction.item_id]
        correction.open_history()  # under the old bucket's key, before the item moves
    for item in items:
        item.open_content()
    for item in items:
        item.person = to_person
    agencies = {item.holding_agency_id for item in items}
    keys = {agency: key_store.current_keys(agency, [to_person.pk])[to_person.pk] for agency in agencies}
    for item in items:
        if item.sealed_content is not None:
            item._seal_with(keys[item.holding_agency_id][1], keys[item.holding_agency_id][0])
    for correction in corrections:
        if correction.sealed_history is not None:
            agency = correction.item.holding_agency_id
            correction.seal_history_with(keys[agency][1], keys[agency][0])
    InformationItem.objects.bulk_update(items, ["person", "sealed_content"], batch_size=500)
    ItemCorrection.objects.bulk_update(corrections, ["sealed_history"], batch_size=500)
