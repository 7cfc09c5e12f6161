"""The cryptography of sealed item content: master key file, AES-GCM sealing, content encoding.

Pure: no database. The data keys themselves, one per (person, holding agency), are kept by
`records.key_store`, which owns the `DataKey` rows and uses what is here to wrap and unwrap them.
Why content is sealed at all, and how disposal stays irreversible: docs/retention.md, "Encryption
and disposal".

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
import uuid
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder

from iomshare.errors import DomainError

KEY_BYTES = 32
NONCE_BYTES = 12
# Sealed layout: format (1 byte), data key serial (4 bytes, big-endian), nonce, ciphertext with tag.
FORMAT = b"\x01"
HEADER_BYTES = 1 + 4 + NONCE_BYTES

_ENCODER = DjangoJSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _not_plain_json(value: Any) -> Any:
    raise TypeError(f"{type(value).__name__} is not a plain JSON value")


# _ENCODER's output for plain JSON values (nearly all content) at less than two thirds of the cost:
# JSONEncoder.encode builds its C encoder afresh on every call, and an import seals a million items.
_make_c_encoder = getattr(json.encoder, "c_make_encoder", None)  # CPython's; typeshed does not declare it
_encode_plain = (
    _make_c_encoder(None, _not_plain_json, json.encoder.encode_basestring, None, ":", ",", False, False, True)
    if _make_c_encoder is not None
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

    def unwrap(self, generation: int, wrapped: bytes | memoryview, aad: bytes) -> bytes:
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
            write_key_file(path, MasterKeys(1, {1: AESGCM.generate_key(bit_length=256)}), exclusive=True)
            stat = path.stat()
        identity = (str(path), stat.st_ino, stat.st_mtime_ns, stat.st_size)
        if _loaded is None or _loaded[0] != identity:
            _loaded = (identity, MasterKeys.from_json(path.read_text()))
        return _loaded[1]


def write_key_file(path: Path, keys: MasterKeys, *, exclusive: bool = False) -> None:
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
    return b"iomshare:item:" + as_uuid(item_id).bytes


def correction_aad(item_id: Any, kind: str, at: dt.datetime) -> bytes:
    at_utc = at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    return b"iomshare:correction:" + as_uuid(item_id).bytes + f":{kind}:{at_utc}".encode()


def as_uuid(value: Any) -> uuid.UUID:
    """`value` (a UUID or its text) as a UUID."""
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


# -- What binds a wrapped data key to its bucket (person, holding agency) ---------------------------


def bucket_aad(person_id: Any, agency_id: int) -> bytes:
    return as_uuid(person_id).bytes + b":" + str(agency_id).encode()
