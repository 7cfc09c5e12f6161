"""The Ed25519 key that signs ledger checkpoints, kept outside the database.

Someone who can rewrite the database must not also be able to sign: the private key lives in a file
(LEDGER_SIGNING_KEY_FILE, default var/ledger_signing_key.pem, created mode 0600 on first use). Verify
trusts only public keys found outside the database: the current key's, and retired keys' public
halves kept in LEDGER_TRUSTED_KEYS_DIR (default var/ledger_trusted_keys/) after a rotation.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings


@dataclass(frozen=True)
class SigningKey:
    private_key: Ed25519PrivateKey
    public_hex: str
    key_id: str

    def sign(self, message: bytes) -> str:
        return self.private_key.sign(message).hex()


def key_file() -> Path:
    configured = getattr(settings, "LEDGER_SIGNING_KEY_FILE", None) or os.environ.get(
        "LEDGER_SIGNING_KEY_FILE"
    )
    return Path(configured) if configured else Path(settings.VAR_DIR) / "ledger_signing_key.pem"


def trusted_keys_dir() -> Path:
    configured = getattr(settings, "LEDGER_TRUSTED_KEYS_DIR", None) or os.environ.get(
        "LEDGER_TRUSTED_KEYS_DIR"
    )
    return Path(configured) if configured else Path(settings.VAR_DIR) / "ledger_trusted_keys"


def key_id_for(public_hex: str) -> str:
    return hashlib.sha256(bytes.fromhex(public_hex)).hexdigest()


def _public_hex(public_key: Ed25519PublicKey) -> str:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def _write_private_key(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first: use theirs
        return
    with os.fdopen(fd, "wb") as f:
        f.write(pem)


@lru_cache(maxsize=4)
def _load(path: str, mtime_ns: int) -> SigningKey:
    private_key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    if not isinstance(private_key, Ed25519PrivateKey):
        raise ValueError(f"{path} does not hold an Ed25519 private key.")
    public_hex = _public_hex(private_key.public_key())
    return SigningKey(private_key=private_key, public_hex=public_hex, key_id=key_id_for(public_hex))


def signing_key() -> SigningKey:
    """The current checkpoint key, created on first use."""
    path = key_file()
    if not path.exists():
        _write_private_key(path)
    return _load(str(path), path.stat().st_mtime_ns)


def trusted_public_keys() -> dict[str, Ed25519PublicKey]:
    """key_id -> public key, for every key whose checkpoints verify accepts."""
    keys: dict[str, Ed25519PublicKey] = {}
    if key_file().exists():
        current = signing_key()
        keys[current.key_id] = current.private_key.public_key()
    folder = trusted_keys_dir()
    if folder.is_dir():
        for path in sorted(folder.glob("*.pub")):
            public_hex = path.read_text().strip()
            keys[key_id_for(public_hex)] = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_hex))
    return keys


def signature_is_valid(public_key: Ed25519PublicKey, signature_hex: str, message: bytes) -> bool:
    try:
        public_key.verify(bytes.fromhex(signature_hex), message)
    except (InvalidSignature, ValueError):
        return False
    return True


def rotate_key() -> tuple[str, str]:
    """Retire the current key (its public half stays trusted) and create a new one; return both ids."""
    old = signing_key()
    folder = trusted_keys_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{old.key_id[:16]}.pub").write_text(old.public_hex + "\n")
    key_file().unlink()  # the retired private key must never sign again
    new = signing_key()
    return old.key_id, new.key_id
