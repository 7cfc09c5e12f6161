"""Envelope encryption of item content, so that disposal can be irreversible (invariant 6).

Item content (summary, details, payload) and its correction history are sealed with AES-GCM under
a data key of the item's bucket: one key per (person, holding agency). Data keys are kept in the
database wrapped (AES-GCM) by a master key that lives outside it, in a key file under var/.

Disposal replaces the bucket's data key and re-seals the bucket's surviving items under the new
one; then the master key moves to a new generation and the old generation is erased from the key
file. So neither the live database nor a backup restored later can open a disposed item: the
backup's data keys are wrapped by a master key generation that no longer exists (docs/retention.md,
"Encryption and disposal").

The associated data binds each ciphertext to its item (and, for history, to its correction), so
ciphertext copied between rows does not open.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import json
import json.encoder
import os
import secrets
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction

from iomshare.errors import DomainError

KEY_BYTES = 32
NONCE_BYTES = 12
# Sealed layout: format (1 byte), data key serial (4 bytes, big-endian), nonce, ciphertext with tag.
FORMAT = b"\x01"
HEADER_BYTES = 1 + 4 + NONCE_BYTES
# How long an unwrapped data key stays in this process's memory, and how many are kept.
KEY_CACHE_SECONDS = 60.0
KEY_CACHE_SIZE = 4096

_ENCODER = DjangoJSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _not_plain_json(value: Any) -> Any:
    raise TypeError(f"{type(value).__name__} is not a plain JSON value")


# _ENCODER's output for plain JSON values (nearly all content) at less than two thirds of the cost:
# JSONEncoder.encode builds its C encoder afresh on every call, and an import seals a million items.
_encode_plain = (
    json.encoder.c_make_encoder(
        None, _not_plain_json, json.encoder.encode_basestring, None, ":", ",", False, False, True
    )
    if json.encoder.c_make_encoder is not None
    else lambda value, level: _ENCODER.encode(value)
)


class ContentUnavailable(DomainError):
    """Sealed content that cannot be opened: its key is gone, or the ciphertext is not this row's."""

    status = 500
    title = "This information cannot be read"


# -- The master key file: generations of master keys, outside the database --------------------------


def master_key_path() -> Path:
    return Path(settings.IOMSHARE_MASTER_KEY_FILE)


class MasterKeys:
    """The master key generations in the key file; `current` wraps new data keys."""

    def __init__(self, current: int, keys: dict[int, bytes], *, rotation_due: bool = False) -> None:
        self.current = current
        self.keys = keys
        # Set when a disposal starts, cleared by the rotation that follows it: a disposal run killed
        # before its rotation still gets one when it is run again.
        self.rotation_due = rotation_due

    def wrap(self, data_key: bytes, aad: bytes) -> tuple[int, bytes]:
        nonce = os.urandom(NONCE_BYTES)
        sealed = AESGCM(self.keys[self.current]).encrypt(nonce, data_key, _wrap_aad(self.current, aad))
        return self.current, nonce + sealed

    def unwrap(self, generation: int, wrapped: bytes, aad: bytes) -> bytes:
        master = self.keys.get(generation)
        if master is None:
            raise ContentUnavailable(
                f"The master key generation {generation} that protected this information has been "
                "destroyed, so it can no longer be read."
            )
        wrapped = bytes(wrapped)
        try:
            return AESGCM(master).decrypt(
                wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], _wrap_aad(generation, aad)
            )
        except InvalidTag as error:
            raise ContentUnavailable(
                "A data key failed its integrity check: it was altered or moved."
            ) from error

    def as_json(self) -> str:
        return json.dumps(
            {
                "current": self.current,
                "keys": {str(g): base64.b64encode(k).decode() for g, k in sorted(self.keys.items())},
                "rotation_due": self.rotation_due,
            }
        )

    @classmethod
    def from_json(cls, text: str) -> MasterKeys:
        data = json.loads(text)
        return cls(
            int(data["current"]),
            {int(g): base64.b64decode(k) for g, k in data["keys"].items()},
            rotation_due=bool(data.get("rotation_due")),
        )


def _wrap_aad(generation: int, aad: bytes) -> bytes:
    return b"iomshare:data-key:" + generation.to_bytes(4, "big") + aad


_file_lock = threading.Lock()
_loaded: tuple[tuple, MasterKeys] | None = None


def master_keys() -> MasterKeys:
    """The key file's master keys, generating generation 1 on first use; re-read when the file changes.

    Another process may rotate the key file at any time, so its identity is checked on every call
    (one stat) rather than trusting what this process read earlier.
    """
    global _loaded
    path = master_key_path()
    with _file_lock:
        try:
            stat = path.stat()
        except FileNotFoundError:
            _write_key_file(path, MasterKeys(1, {1: AESGCM.generate_key(bit_length=256)}), exclusive=True)
            stat = path.stat()
        identity = (str(path), stat.st_ino, stat.st_mtime_ns, stat.st_size)
        if _loaded is None or _loaded[0] != identity:
            _loaded = (identity, MasterKeys.from_json(path.read_text()))
        return _loaded[1]


def _write_key_file(path: Path, keys: MasterKeys, *, exclusive: bool = False) -> None:
    """Write the key file whole and atomically, mode 0600: a reader sees the old file or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as file:
            file.write(keys.as_json())
            file.flush()
            os.fsync(file.fileno())
        if exclusive:
            with contextlib.suppress(FileExistsError):  # another process made it first: keep theirs
                os.link(temporary, path)
        else:
            os.replace(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


# -- Sealing and opening -------------------------------------------------------------------------


def seal(cipher: AESGCM, serial: int, aad: bytes, plaintext: bytes, *, nonce: bytes | None = None) -> bytes:
    """`plaintext` sealed under `cipher`; a bulk writer passes nonces it read from os.urandom in one go."""
    if nonce is None:
        nonce = os.urandom(NONCE_BYTES)
    elif len(nonce) != NONCE_BYTES:
        raise ValueError("A nonce is 12 random bytes.")
    header = FORMAT + serial.to_bytes(4, "big")
    return header + nonce + cipher.encrypt(nonce, plaintext, header + aad)


def serial_of(sealed: bytes) -> int:
    if len(sealed) < HEADER_BYTES + 16 or sealed[:1] != FORMAT:
        raise ContentUnavailable("The stored information is not in a form this version can read.")
    return int.from_bytes(sealed[1:5], "big")


def open_sealed(cipher: AESGCM, aad: bytes, sealed: bytes) -> bytes:
    sealed = bytes(sealed)
    serial_of(sealed)
    try:
        return cipher.decrypt(sealed[5:HEADER_BYTES], sealed[HEADER_BYTES:], sealed[:5] + aad)
    except InvalidTag as error:
        raise ContentUnavailable(
            "This information failed its integrity check: it was altered or does not belong to this item."
        ) from error


def item_aad(item_id: Any) -> bytes:
    return b"iomshare:item:" + _uuid(item_id).bytes


def correction_aad(item_id: Any, kind: str, at: dt.datetime) -> bytes:
    at_utc = at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    return b"iomshare:correction:" + _uuid(item_id).bytes + f":{kind}:{at_utc}".encode()


def _uuid(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def encode_content(summary: str, details: str, payload: Any) -> bytes:
    try:
        return "".join(_encode_plain([summary, details, payload], 0)).encode()
    except TypeError:  # dates, decimals, UUIDs... as Django writes them
        return _ENCODER.encode([summary, details, payload]).encode()


def decode_content(plaintext: bytes) -> tuple[str, str, Any]:
    summary, details, payload = json.loads(plaintext)
    return summary, details, payload


def encode_history(previous: dict[str, Any], changes: dict[str, Any]) -> bytes:
    return _ENCODER.encode([previous, changes]).encode()


def decode_history(plaintext: bytes) -> tuple[dict[str, Any], dict[str, Any]]:
    previous, changes = json.loads(plaintext)
    return previous, changes


# -- Data keys: one per (person, holding agency), cached unwrapped for a short while ---------------


def bucket_aad(person_id: Any, agency_id: int) -> bytes:
    return _uuid(person_id).bytes + b":" + str(agency_id).encode()


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


def _models():
    from iomshare.records import models

    return models


def cipher_for(person_id: Any, agency_id: int, serial: int) -> AESGCM:
    """The data key that sealed content with `serial` in bucket (person, agency), unwrapped."""
    person_id = _uuid(person_id)
    cached = key_cache.get((person_id, agency_id, serial))
    if cached is not None:
        return cached
    # A read of one person's items usually spans several agencies: unwrap all their keys at once.
    rows = (
        _models()
        .DataKey.objects.filter(person_id=person_id)
        .values_list("holding_agency_id", "serial", "generation", "wrapped")
    )
    masters = master_keys()
    found = None
    for agency, key_serial, generation, wrapped in rows:
        with contextlib.suppress(ContentUnavailable):  # one bad key must not hide the others
            cipher = AESGCM(masters.unwrap(generation, wrapped, bucket_aad(person_id, agency)))
            key_cache.put((person_id, agency, key_serial), cipher)
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
    models = _models()
    wanted = {_uuid(person_id) for person_id in person_ids}
    if not wanted:
        return {}
    rows = _locked_keys(agency_id, wanted)
    missing = wanted - rows.keys()
    if missing:
        new_rows = []
        for person_id in missing:
            _, generation, wrapped = new_data_key(person_id, agency_id)
            new_rows.append(
                models.DataKey(
                    person_id=person_id, holding_agency_id=agency_id, generation=generation, wrapped=wrapped
                )
            )
        # Another writer may create the same bucket's key meanwhile: keep whichever was first.
        models.DataKey.objects.bulk_create(new_rows, ignore_conflicts=True)
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
    table = connection.ops.quote_name(_models().DataKey._meta.db_table)
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
                found[_uuid(person_id)] = (serial, generation, bytes(wrapped))
    return found


# -- Master key rotation: what makes a disposal survive a restored backup ----------------------------


ROTATION_CHUNK = 5000


def _save_rewrapped(rows: list[Any]) -> None:
    """Store re-wrapped keys: on PostgreSQL one UPDATE from arrays (bulk_update's CASE is far slower)."""
    models = _models()
    if connection.vendor != "postgresql":
        models.DataKey.objects.bulk_update(rows, ["generation", "wrapped"], batch_size=500)
        return
    table = connection.ops.quote_name(models.DataKey._meta.db_table)
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
        _write_key_file(master_key_path(), MasterKeys(keys.current, keys.keys, rotation_due=True))


def rotate_master_key() -> int:
    """Re-wrap every data key under a new master key generation, then erase the older generations.

    Run after disposals: a database backup taken before holds data keys wrapped by an erased
    generation, so it cannot bring disposed content back. Safe to run again if interrupted.
    Returns the new generation.
    """
    models = _models()
    keys = master_keys()
    new_generation = max(keys.keys) + 1
    rotated = MasterKeys(
        new_generation,
        {**keys.keys, new_generation: AESGCM.generate_key(bit_length=256)},
        rotation_due=keys.rotation_due,
    )
    _write_key_file(master_key_path(), rotated)
    keys = master_keys()
    last_id = 0
    while True:
        with transaction.atomic():
            chunk = list(
                models.DataKey.objects.select_for_update()
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
    if models.DataKey.objects.exclude(generation=keys.current).exists():
        raise ContentUnavailable(
            "Data keys were written under an old master key while it was being rotated: run the "
            "rotation again before the old generation is erased."
        )
    # Every data key is now under the new generation: the older ones can go, and with them the data
    # keys of every database backup taken before now.
    _write_key_file(master_key_path(), MasterKeys(keys.current, {keys.current: keys.keys[keys.current]}))
    return keys.current
