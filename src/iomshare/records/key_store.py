"""The key store: one data key per (person, holding agency), kept wrapped in the database.

Owns the `DataKey` rows (app label `records`, so the table and migrations are unchanged) and a short
lived cache of unwrapped keys; `records.crypto` does the cryptography. Disposal replaces a bucket's
data key and re-seals its surviving items under the new one; then `rotate_master_key` moves the master
key to a new generation and erases the old one from the key file. So neither the live database nor a
backup restored later can open a disposed item (docs/retention.md, "Encryption and disposal").
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.db import connection, models, transaction
from django.utils import timezone

from iomshare.partnership.models import Agency
from iomshare.people.models import Person
from iomshare.records.crypto import (
    ContentUnavailable,
    MasterKeys,
    as_uuid,
    bucket_aad,
    master_key_path,
    master_keys,
    write_key_file,
)

# How long an unwrapped data key stays in this process's memory, and how many are kept.
KEY_CACHE_SECONDS = 60.0
KEY_CACHE_SIZE = 4096


class DataKey(models.Model):
    """The data key sealing one person's items held by one agency, wrapped by the master key.

    One row per (person, holding agency), not per item, so imports add no row per item. Disposing
    of an item replaces the key (`serial` goes up) and re-seals the bucket's surviving items.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+", db_index=False)
    holding_agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+", db_index=False)
    serial = models.PositiveIntegerField(default=1, help_text="Goes up each time the key is replaced.")
    generation = models.PositiveIntegerField(help_text="The master key generation that wraps this key.")
    wrapped = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        app_label = "records"
        constraints = [
            models.UniqueConstraint(fields=["person", "holding_agency"], name="one_data_key_per_bucket")
        ]

    def __str__(self) -> str:
        return f"Data key {self.serial} for a person's items held by agency {self.holding_agency_id}"


class _KeyCache:
    """Unwrapped data keys by (person, agency, serial); short-lived so a replaced key leaves memory."""

    def __init__(self) -> None:
        self._entries: OrderedDict[tuple, tuple[float, AESGCM]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> AESGCM | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry[0] < time.monotonic():
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return entry[1]

    def put(self, key: tuple, cipher: AESGCM) -> None:
        with self._lock:
            self._entries[key] = (time.monotonic() + KEY_CACHE_SECONDS, cipher)
            self._entries.move_to_end(key)
            while len(self._entries) > KEY_CACHE_SIZE:
                self._entries.popitem(last=False)

    def forget_bucket(self, person_id: Any, agency_id: int) -> None:
        with self._lock:
            for key in [k for k in self._entries if k[0] == person_id and k[1] == agency_id]:
                del self._entries[key]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


key_cache = _KeyCache()


def cipher_for(person_id: Any, agency_id: int, serial: int) -> AESGCM:
    """The data key that sealed content with `serial` in bucket (person, agency), unwrapped."""
    person_id = as_uuid(person_id)
    cached = key_cache.get((person_id, agency_id, serial))
    if cached is not None:
        return cached
    # A read of one person's items usually spans several agencies: unwrap all their keys at once.
    rows = DataKey.objects.filter(person_id=person_id).values_list(
        "holding_agency_id", "serial", "generation", "wrapped"
    )
    masters = master_keys()
    found = None
    for agency, key_serial, generation, wrapped in rows:
        with contextlib.suppress(ContentUnavailable):  # one bad key must not hide the others
            unwrapped = AESGCM(masters.unwrap(generation, wrapped, bucket_aad(person_id, agency)))
            key_cache.put((person_id, agency, key_serial), unwrapped)
        if agency == agency_id and key_serial == serial:
            found = (generation, wrapped)
    if found is None:
        raise ContentUnavailable("The key that protected this information has been destroyed.")
    cipher = key_cache.get((person_id, agency_id, serial))
    if cipher is None:  # its unwrap failed above: raise its own reason
        cipher = AESGCM(masters.unwrap(found[0], found[1], bucket_aad(person_id, agency_id)))
    return cipher


def new_data_key(person_id: Any, agency_id: int) -> tuple[bytes, int, bytes]:
    """A fresh data key for a bucket: (key, master generation, wrapped key)."""
    data_key = AESGCM.generate_key(bit_length=256)
    generation, wrapped = master_keys().wrap(data_key, bucket_aad(person_id, agency_id))
    return data_key, generation, wrapped


def current_keys(agency_id: int, person_ids: Iterable[Any]) -> dict[uuid.UUID, tuple[int, AESGCM]]:
    """The data key (serial, cipher) of each person's bucket at `agency_id`, creating missing ones.

    On PostgreSQL the key rows are locked FOR SHARE until the caller's transaction ends, so a
    disposal cannot replace a key while content sealed under it is being written.
    """
    wanted = {as_uuid(person_id) for person_id in person_ids}
    if not wanted:
        return {}
    rows = _locked_keys(agency_id, wanted)
    missing = wanted - rows.keys()
    if missing:
        new_rows = []
        for person_id in missing:
            _, generation, wrapped = new_data_key(person_id, agency_id)
            new_rows.append(
                DataKey(
                    person_id=person_id, holding_agency_id=agency_id, generation=generation, wrapped=wrapped
                )
            )
        # Another writer may create the same bucket's key meanwhile: keep whichever was first.
        DataKey.objects.bulk_create(new_rows, ignore_conflicts=True)
        rows |= _locked_keys(agency_id, missing)
    keys: dict[uuid.UUID, tuple[int, AESGCM]] = {}
    masters = master_keys()  # once, not once a key: each call checks the key file on disk
    for person_id, (serial, generation, wrapped) in rows.items():
        cached = key_cache.get((person_id, agency_id, serial))
        if cached is None:
            cached = AESGCM(masters.unwrap(generation, wrapped, bucket_aad(person_id, agency_id)))
            key_cache.put((person_id, agency_id, serial), cached)
        keys[person_id] = (serial, cached)
    return keys


def _locked_keys(agency_id: int, person_ids: set[uuid.UUID]) -> dict[uuid.UUID, tuple[int, int, bytes]]:
    table = connection.ops.quote_name(DataKey._meta.db_table)
    found: dict[uuid.UUID, tuple[int, int, bytes]] = {}
    ids = sorted(person_ids)
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 900):  # SQLite allows 999 parameters a statement
            chunk = ids[start : start + 900]
            if connection.vendor == "postgresql":
                cursor.execute(
                    f"SELECT person_id, serial, generation, wrapped FROM {table} "  # noqa: S608
                    "WHERE holding_agency_id = %s AND person_id = ANY(%s) FOR SHARE",
                    [agency_id, chunk],
                )
            else:
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(
                    f"SELECT person_id, serial, generation, wrapped FROM {table} "  # noqa: S608
                    f"WHERE holding_agency_id = %s AND person_id IN ({marks})",
                    [agency_id, *(person_id.hex for person_id in chunk)],
                )
            for person_id, serial, generation, wrapped in cursor.fetchall():
                found[as_uuid(person_id)] = (serial, generation, bytes(wrapped))
    return found


# -- Master key rotation: what makes a disposal survive a restored backup ----------------------------


ROTATION_CHUNK = 5000


def _save_rewrapped(rows: list[Any]) -> None:
    """Store re-wrapped keys: on PostgreSQL one UPDATE from arrays (bulk_update's CASE is far slower)."""
    if connection.vendor != "postgresql":
        DataKey.objects.bulk_update(rows, ["generation", "wrapped"], batch_size=500)
        return
    table = connection.ops.quote_name(DataKey._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS k SET generation = v.generation, wrapped = v.wrapped "  # noqa: S608
            "FROM unnest(%s::bigint[], %s::int[], %s::bytea[]) AS v(id, generation, wrapped) WHERE k.id = v.id",
            [
                [row.id for row in rows],
                [row.generation for row in rows],
                [bytes(row.wrapped) for row in rows],
            ],
        )


def mark_rotation_due() -> None:
    """Note in the key file that a disposal has begun, so the master key must be rotated after it."""
    keys = master_keys()
    if not keys.rotation_due:
        write_key_file(master_key_path(), MasterKeys(keys.current, keys.keys, rotation_due=True))


def rotate_master_key() -> int:
    """Re-wrap every data key under a new master key generation, then erase the older generations.

    Run after disposals: a database backup taken before holds data keys wrapped by an erased
    generation, so it cannot bring disposed content back. Safe to run again if interrupted.
    Returns the new generation.
    """
    keys = master_keys()
    new_generation = max(keys.keys) + 1
    rotated = MasterKeys(
        new_generation,
        {**keys.keys, new_generation: AESGCM.generate_key(bit_length=256)},
        rotation_due=keys.rotation_due,
    )
    write_key_file(master_key_path(), rotated)
    keys = master_keys()
    last_id = 0
    while True:
        with transaction.atomic():
            chunk = list(
                DataKey.objects.select_for_update()
                .filter(id__gt=last_id)
                .exclude(generation=keys.current)
                .order_by("id")[:ROTATION_CHUNK]
            )
            if not chunk:
                break
            for row in chunk:
                aad = bucket_aad(row.person_id, row.holding_agency_id)
                data_key = keys.unwrap(row.generation, row.wrapped, aad)
                row.generation, row.wrapped = keys.wrap(data_key, aad)
            _save_rewrapped(chunk)
            last_id = chunk[-1].id
    if DataKey.objects.exclude(generation=keys.current).exists():
        raise ContentUnavailable(
            "Data keys were written under an old master key while it was being rotated: run the "
            "rotation again before the old generation is erased."
        )
    # Every data key is now under the new generation: the older ones can go, and with them the data
    # keys of every database backup taken before now.
    write_key_file(master_key_path(), MasterKeys(keys.current, {keys.current: keys.keys[keys.current]}))
    return keys.current
