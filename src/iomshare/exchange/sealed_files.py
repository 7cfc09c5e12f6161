"""Extract files sealed at rest: AES-GCM pieces under a key of their own, wrapped by the master key.

A bulk extract holds person data, so it never touches the disk in plain text. Each file has a random
data key, kept in the database wrapped by the master key (records.sealing), as item content is; the
file is a run of pieces (4-byte length, then the sealed piece), each bound to its file and position,
so pieces cannot be reordered, swapped between files or dropped from the end unnoticed. Destroying
the wrapped key makes the file unreadable even where a copy of it survives.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

from iomshare.records import sealing

LENGTH_BYTES = 4


def extract_dir() -> Path:
    folder = Path(getattr(settings, "IOMSHARE_EXTRACT_DIR", settings.VAR_DIR / "extracts"))
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def _key_aad(file_id: uuid.UUID) -> bytes:
    return b"iomshare:extract-file:" + file_id.bytes


def _piece_aad(file_id: uuid.UUID, index: int) -> bytes:
    return b"iomshare:extract-piece:" + file_id.bytes + index.to_bytes(8, "big")


def new_key(file_id: uuid.UUID) -> tuple[int, bytes, bytes]:
    """A fresh data key for a file: (master key generation, wrapped key, the key itself)."""
    data_key = AESGCM.generate_key(bit_length=256)
    generation, wrapped = sealing.master_keys().wrap(data_key, _key_aad(file_id))
    return generation, wrapped, data_key


def open_key(file_id: uuid.UUID, generation: int, wrapped: bytes | memoryview) -> bytes:
    """The file's data key; ContentUnavailable if it was destroyed or its master key rotated away."""
    if not wrapped:
        raise sealing.ContentUnavailable("This extract's key has been destroyed: the extract has expired.")
    return sealing.master_keys().unwrap(generation, bytes(wrapped), _key_aad(file_id))


def append_piece(
    path: Path, *, keep_bytes: int, key: bytes, file_id: uuid.UUID, index: int, text: str
) -> int:
    """Cut the file back to its first `keep_bytes` (anything after them was never committed), append
    piece `index` sealed, flush it to disk; the file's new length."""
    nonce = os.urandom(sealing.NONCE_BYTES)
    sealed = nonce + AESGCM(key).encrypt(nonce, text.encode(), _piece_aad(file_id, index))
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        os.ftruncate(fd, keep_bytes)
        os.lseek(fd, keep_bytes, os.SEEK_SET)
        os.write(fd, len(sealed).to_bytes(LENGTH_BYTES, "big") + sealed)
        os.fsync(fd)
    finally:
        os.close(fd)
    return keep_bytes + LENGTH_BYTES + len(sealed)


def read_pieces(path: Path, *, key: bytes, file_id: uuid.UUID, pieces: int, length: int) -> Iterator[bytes]:
    """The file's plain text, piece by piece; ContentUnavailable if any piece is altered or missing."""
    cipher = AESGCM(key)
    with path.open("rb") as file:
        for index in range(pieces):
            size = int.from_bytes(file.read(LENGTH_BYTES), "big")
            sealed = file.read(size)
            try:
                yield cipher.decrypt(
                    sealed[: sealing.NONCE_BYTES], sealed[sealing.NONCE_BYTES :], _piece_aad(file_id, index)
                )
            except (InvalidTag, ValueError) as error:
                raise sealing.ContentUnavailable("This extract's file was altered or cut short.") from error
        if file.tell() != length:
            raise sealing.ContentUnavailable("This extract's file does not match what was written.")
