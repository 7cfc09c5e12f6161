"""Envelope encryption of item content, kept importable at its old path.

It is now two modules: `records.crypto` (the cryptography, no database) and `records.key_store` (the
`DataKey` rows and the unwrapped key cache). New code imports from those.
"""

from iomshare.records.crypto import _ENCODER as _ENCODER
from iomshare.records.crypto import AESGCM as AESGCM
from iomshare.records.crypto import (
    FORMAT,
    HEADER_BYTES,
    KEY_BYTES,
    NONCE_BYTES,
    ContentUnavailable,
    MasterKeys,
    as_uuid,
    bucket_aad,
    correction_aad,
    decode_content,
    decode_history,
    encode_content,
    encode_history,
    item_aad,
    master_key_path,
    master_keys,
    open_sealed,
    seal,
    serial_of,
)
from iomshare.records.key_store import (
    KEY_CACHE_SECONDS,
    KEY_CACHE_SIZE,
    ROTATION_CHUNK,
    DataKey,
    cipher_for,
    current_keys,
    key_cache,
    mark_rotation_due,
    new_data_key,
    rotate_master_key,
)

__all__ = [
    "AESGCM",
    "FORMAT",
    "HEADER_BYTES",
    "KEY_BYTES",
    "KEY_CACHE_SECONDS",
    "KEY_CACHE_SIZE",
    "NONCE_BYTES",
    "ROTATION_CHUNK",
    "ContentUnavailable",
    "DataKey",
    "MasterKeys",
    "as_uuid",
    "bucket_aad",
    "cipher_for",
    "correction_aad",
    "current_keys",
    "decode_content",
    "decode_history",
    "encode_content",
    "encode_history",
    "item_aad",
    "key_cache",
    "mark_rotation_due",
    "master_key_path",
    "master_keys",
    "new_data_key",
    "open_sealed",
    "rotate_master_key",
    "seal",
    "serial_of",
]
