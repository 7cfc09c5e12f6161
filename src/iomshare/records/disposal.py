"""Disposal (invariant 6): the content goes for good, a certificate stays.

A disposed item's bucket gets a new data key and its surviving items are re-sealed under it; then the
master key is rotated, so neither the database nor a backup restored later can open what was disposed.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.db import transaction

from iomshare.errors import InvalidInput, NotPermitted
from iomshare.ledger import services as ledger
from iomshare.ledger.models import Action
from iomshare.partnership.models import Role, StaffMember
from iomshare.records import key_store
from iomshare.records.models import (
    DataKey,
    InformationItem,
    ItemCorrection,
    ItemStatus,
)


@dataclass(frozen=True)
class DisposalCertificate:
    """What was disposed of, whose, when, under which rule and by whom; kept on the ledger."""

    item_id: uuid.UUID
    person_id: uuid.UUID
    holding_agency: str
    category: str
    rule: str
    reason: str
    disposed_at: dt.datetime  # the ledger entry's time
    by_id: int | None
    ledger_entry_id: int


ROLES_THAT_DISPOSE = {Role.IG_LEAD, Role.SYSTEM}


def dispose_items(
    item_ids: Iterable[uuid.UUID | str],
    *,
    by: StaffMember | None,
    rule: str,
    reason: str,
    rotate_master_key: bool = True,
) -> list[DisposalCertificate]:
    """Dispose of items for good: content, correction history and data key destroyed; a certificate stays.

    Each (person, holding agency) bucket is one transaction: its key is replaced and its surviving
    items re-sealed, so nothing sealed under the old key can be opened again. Then (by default) the
    master key is rotated, so a database backup taken before cannot bring the content back either.
    Already-disposed items are skipped, so a run killed midway is finished by running it again.
    `by` is the information-governance lead deciding, or None for a scheduled retention sweep.
    Legal holds are the caller's to check. Returns the certificates of the items disposed of now.
    """
    rule, reason = (rule or "").strip(), (reason or "").strip()
    buckets = _buckets_to_dispose(_checked_ids(item_ids, rule=rule, reason=reason))
    if by is not None:
        foreign = {agency for _, agency in buckets} - {by.agency_id}
        if by.role not in ROLES_THAT_DISPOSE or (by.role == Role.IG_LEAD and foreign):
            raise NotPermitted(
                "Only the information-governance lead of the agency that holds information can dispose of it."
            )
    if buckets:
        key_store.mark_rotation_due()
    certificates: list[DisposalCertificate] = []
    for (person_id, agency_id), bucket_ids in sorted(buckets.items(), key=lambda pair: str(pair[0])):
        certificates += _dispose_bucket(person_id, agency_id, bucket_ids, by=by, rule=rule, reason=reason)
    if rotate_master_key and key_store.master_keys().rotation_due:
        key_store.rotate_master_key()
    return certificates


def _checked_ids(item_ids: Iterable[uuid.UUID | str], *, rule: str, reason: str) -> list[uuid.UUID]:
    """The item ids as UUIDs, once the rule and reason are given and every id reads as one."""
    problems = {}
    if not rule:
        problems["rule"] = "Name the retention rule the information is disposed of under"
    if not reason:
        problems["reason"] = "Enter why the information is being disposed of"
    ids: list[uuid.UUID] = []
    for index, item_id in enumerate(item_ids):
        try:
            ids.append(item_id if isinstance(item_id, uuid.UUID) else uuid.UUID(str(item_id)))
        except ValueError:
            problems[f"item_ids[{index}]"] = f"{item_id!r} is not an item id"
    if problems:
        raise InvalidInput("Nothing was disposed of: correct the problems listed.", field_errors=problems)
    return ids


def _buckets_to_dispose(ids: list[uuid.UUID]) -> dict[tuple[uuid.UUID, int], set[uuid.UUID]]:
    """The items not yet disposed of, by (person, holding agency); an unknown id refuses them all."""
    found: dict[uuid.UUID, tuple[uuid.UUID, int, str]] = {}
    for start in range(0, len(ids), 900):
        for item_id, person_id, agency_id, status in InformationItem.objects.filter(
            id__in=ids[start : start + 900]
        ).values_list("id", "person_id", "holding_agency_id", "status"):
            found[item_id] = (person_id, agency_id, status)
    unknown = [str(item_id) for item_id in ids if item_id not in found]
    if unknown:
        raise InvalidInput(
            "Nothing was disposed of: some items do not exist.",
            field_errors={"item_ids": "No item has the id " + ", ".join(unknown[:10])},
        )
    buckets: dict[tuple[uuid.UUID, int], set[uuid.UUID]] = {}
    for item_id, (person_id, agency_id, status) in found.items():
        if status != ItemStatus.DISPOSED:
            buckets.setdefault((person_id, agency_id), set()).add(item_id)
    return buckets


@transaction.atomic
def _dispose_bucket(
    person_id: uuid.UUID,
    agency_id: int,
    item_ids: set[uuid.UUID],
    *,
    by: StaffMember | None,
    rule: str,
    reason: str,
) -> list[DisposalCertificate]:
    key = DataKey.objects.select_for_update().filter(person_id=person_id, holding_agency_id=agency_id).first()
    items = list(
        InformationItem.objects.select_for_update()
        .filter(person_id=person_id, holding_agency_id=agency_id)
        .select_related("category", "holding_agency")
    )
    disposing = [item for item in items if item.pk in item_ids and item.status != ItemStatus.DISPOSED]
    if not disposing:  # another run finished this bucket meanwhile
        return []
    surviving = [item for item in items if item.pk not in item_ids and item.sealed_content is not None]
    by_id = {item.pk: item for item in items}
    corrections = list(ItemCorrection.objects.filter(item_id__in=list(by_id)))
    surviving_history = [c for c in corrections if c.item_id not in item_ids and c.sealed_history is not None]
    for correction in surviving_history:
        correction.item = by_id[correction.item_id]
        correction.open_history()  # under the key about to be destroyed
    for item in surviving:
        item.open_content()

    # A new data key for the bucket; the old one is overwritten, with no copy kept anywhere.
    data_key, generation, wrapped = key_store.new_data_key(person_id, agency_id)
    cipher, serial = AESGCM(data_key), (key.serial + 1 if key else 1)
    for item in surviving:
        item._seal_with(cipher, serial)
    for correction in surviving_history:
        correction.seal_history_with(cipher, serial)
    InformationItem.objects.bulk_update(surviving, ["sealed_content"], batch_size=500)
    ItemCorrection.objects.bulk_update(surviving_history, ["sealed_history"], batch_size=500)
    if key is None:
        DataKey.objects.create(
            person_id=person_id,
            holding_agency_id=agency_id,
            serial=serial,
            generation=generation,
            wrapped=wrapped,
        )
    else:
        key.serial, key.generation, key.wrapped = serial, generation, wrapped
        key.save(update_fields=["serial", "generation", "wrapped"])

    disposed_ids = [item.pk for item in disposing]
    InformationItem.objects.filter(id__in=disposed_ids).update(
        status=ItemStatus.DISPOSED,
        sealed_content=None,
        form_code="",
        form_version=None,
        restricted_reason="",
    )
    # A correction's reason may repeat what was corrected: it goes with the content.
    ItemCorrection.objects.filter(item_id__in=disposed_ids).update(sealed_history=None, reason="")
    transaction.on_commit(lambda: key_store.key_cache.forget_bucket(person_id, agency_id))
    key_store.key_cache.forget_bucket(person_id, agency_id)

    events = [
        ledger.Event(
            action=Action.DISPOSED,
            by=by,
            person_id=person_id,
            item_ids=[str(item.pk)],
            holding_agencies=[item.holding_agency.code],
            details={
                "certificate": {
                    "item_id": str(item.pk),
                    "category": item.category.code,
                    "holding_agency": item.holding_agency.code,
                    "person_id": str(person_id),
                    "recorded_at": item.recorded_at.isoformat(),
                    "rule": rule,
                    "reason": reason,
                }
            },
        )
        for item in disposing
    ]
    entries = ledger.append_many(events)
    return [
        DisposalCertificate(
            item_id=item.pk,
            person_id=person_id,
            holding_agency=item.holding_agency.code,
            category=item.category.code,
            rule=rule,
            reason=reason,
            disposed_at=entry.at,
            by_id=by.pk if by is not None else None,
            ledger_entry_id=entry.pk,
        )
        for item, entry in zip(disposing, entries, strict=True)
    ]
