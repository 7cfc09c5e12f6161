"""`iomshare backup` and `iomshare restore`: the database and the keys that belong with it, together.

An archive (tar, mode 0600) holds the database (SQLite through its online backup API, PostgreSQL as a
pg_dump custom-format dump), the master key file, the ledger signing key and the trusted ledger keys,
and a manifest with each file's SHA-256. Restore checks every checksum before it writes anything,
and writes only into an empty database and over no different key file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from iomshare.errors import DomainError
from iomshare.ledger import signing
from iomshare.records import sealing

FORMAT = "iomshare-backup-v1"
MANIFEST = "manifest.json"
MASTER_KEY = "keys/master_keys"
SIGNING_KEY = "keys/ledger_signing_key.pem"
TRUSTED_KEYS = "keys/ledger_trusted_keys"
DATABASE = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}


class BackupFailed(DomainError):
    title = "The backup or restore was not carried out"


@dataclass(frozen=True)
class Restored:
    vendor: str
    files: list[str]
    created_at: str


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _postgres_environment() -> tuple[list[str], dict[str, str]]:
    """libpq arguments and environment for pg_dump / pg_restore on Django's database."""
    s = connection.settings_dict
    arguments = ["--dbname", s["NAME"]]
    if s.get("HOST"):
        arguments += ["--host", str(s["HOST"])]
    if s.get("PORT"):
        arguments += ["--port", str(s["PORT"])]
    if s.get("USER"):
        arguments += ["--username", str(s["USER"])]
    environment = dict(os.environ)
    if s.get("PASSWORD"):
        environment["PGPASSWORD"] = str(s["PASSWORD"])
    return arguments, environment


def _run(command: list[str], environment: dict[str, str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupFailed(
            f"{command[0]} is not installed: install the PostgreSQL client (postgresql-client)."
        )
    result = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)  # noqa: S603 (pg_dump or pg_restore, no shell)
    if result.returncode != 0:
        raise BackupFailed(f"{command[0]} failed: {result.stderr.strip()[-2000:]}")


def _dump_database(target: Path) -> None:
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(target) as copy:
            connection.connection.backup(copy)  # online: writers carry on meanwhile
        return
    if connection.vendor != "postgresql":
        raise BackupFailed(f"Backing up a {connection.vendor} database is not supported.")
    arguments, environment = _postgres_environment()
    _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(target), *arguments], environment)


def _key_files(include_master_key: bool) -> dict[str, Path]:
    """Archive name -> file on disk, for every key file that exists."""
    files: dict[str, Path] = {}
    if include_master_key:
        master = Path(sealing.master_key_path())
        if not master.exists():
            raise BackupFailed(
                f"The master key file {master} does not exist: nothing sealed could be restored."
            )
        files[MASTER_KEY] = master
    if signing.key_file().exists():
        files[SIGNING_KEY] = signing.key_file()
    if signing.trusted_keys_dir().is_dir():
        for public in sorted(signing.trusted_keys_dir().glob("*.pub")):
            files[f"{TRUSTED_KEYS}/{public.name}"] = public
    return files


def _applied_migrations() -> dict[str, str]:
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        latest[app] = max(latest.get(app, ""), name)
    return dict(sorted(latest.items()))


def create_backup(archive: Path, *, include_master_key: bool = True) -> dict:
    """Write one archive of the database and its keys; return its manifest."""
    archive = Path(archive)
    if archive.exists():
        raise BackupFailed(f"{archive} already exists: choose a new file name.")
    archive.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="iomshare-backup-") as work:
        folder = Path(work)
        database_name = DATABASE.get(connection.vendor, "database")
        # The key file is read before and after the dump: a rotation in between would leave data keys
        # wrapped by a generation the copy lacks, so the dump is taken again.
        for _attempt in range(3):
            before = {name: path.read_bytes() for name, path in _key_files(include_master_key).items()}
            _dump_database(folder / database_name)
            after = {name: path.read_bytes() for name, path in _key_files(include_master_key).items()}
            if before == after:
                break
            (folder / database_name).unlink()
        else:
            raise BackupFailed(
                "The key files kept changing during the backup (a rotation is running): try again."
            )
        for name, content in after.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(content)
        members = [database_name, *after]
        manifest = {
            "format": FORMAT,
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "database_vendor": connection.vendor,
            "database_file": database_name,
            "includes_master_key": include_master_key,
            "migrations": _applied_migrations(),
            "files": {
                name: {"sha256": _sha256(folder / name), "bytes": (folder / name).stat().st_size}
                for name in members
            },
        }
        fd = os.open(archive, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w") as tar:
            data = json.dumps(manifest, indent=2).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mode = len(data), 0o600
            tar.addfile(info, io.BytesIO(data))
            for name in members:
                tar.add(folder / name, arcname=name, recursive=False)
    return manifest


def _unpack(archive: Path, folder: Path) -> dict:
    """Extract and check every file against the manifest; BackupFailed names the first that differs."""
    try:
        with tarfile.open(archive, mode="r") as tar:
            tar.extractall(folder, filter="data")
    except (OSError, tarfile.TarError) as error:
        raise BackupFailed(f"{archive} cannot be read as a backup archive: {error}") from error
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError) as error:
        raise BackupFailed(f"{archive} has no readable {MANIFEST}.") from error
    if manifest.get("format") != FORMAT:
        raise BackupFailed(
            f"{archive} is not an {FORMAT} archive (its format is {manifest.get('format')!r})."
        )
    for name, expected in manifest["files"].items():
        path = folder / name
        if not path.is_file():
            raise BackupFailed(f"{name} is listed in the manifest but missing from the archive.")
        if _sha256(path) != expected["sha256"]:
            raise BackupFailed(f"{name} does not match its checksum in the manifest: the archive is damaged.")
    return manifest


def _database_is_empty() -> bool:
    return not connection.introspection.table_names()


def _restore_database(manifest: dict, folder: Path) -> None:
    vendor = manifest["database_vendor"]
    if vendor != connection.vendor:
        raise BackupFailed(
            f"The archive holds a {vendor} database; DATABASE_URL names a {connection.vendor} one."
        )
    dump = folder / manifest["database_file"]
    if vendor == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(dump) as source:
            source.backup(connection.connection)
        return
    arguments, environment = _postgres_environment()
    _run(
        [
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            *arguments,
            str(dump),
        ],
        environment,
    )


def _refuse_to_overwrite(source: Path, target: Path, *, force: bool) -> None:
    if target.exists() and target.read_bytes() != source.read_bytes() and not force:
        raise BackupFailed(
            f"{target} already exists and differs from the archive's copy: move it away (or use --force)."
        )


def _install_key(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.restoring")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as file:
        file.write(source.read_bytes())
    os.replace(temporary, target)


def restore_backup(archive: Path, *, master_key_file: Path | None = None, force: bool = False) -> Restored:
    """Check the archive whole, then restore its database into the (empty) configured database and its
    keys to the configured key locations; `master_key_file` supplies a key kept apart from backups."""
    with tempfile.TemporaryDirectory(prefix="iomshare-restore-") as work:
        folder = Path(work)
        manifest = _unpack(Path(archive), folder)
        master_source = folder / MASTER_KEY if manifest["includes_master_key"] else master_key_file
        if master_source is None or not Path(master_source).is_file():
            raise BackupFailed(
                "This archive was made without the master key: give the key file with --master-key-file."
            )
        if not _database_is_empty():
            raise BackupFailed(
                "The database named by DATABASE_URL already has tables: restore only into a new, empty database."
            )
        keys = [(Path(master_source), Path(sealing.master_key_path()))]
        if (folder / SIGNING_KEY).is_file():
            keys.append((folder / SIGNING_KEY, signing.key_file()))
        keys += [
            (public, signing.trusted_keys_dir() / public.name)
            for public in (folder / TRUSTED_KEYS).glob("*.pub")
        ]
        for source, target in keys:  # every refusal before anything is written
            _refuse_to_overwrite(source, target, force=force)
        _restore_database(manifest, folder)
        for source, target in keys:
            _install_key(source, target)
    return Restored(
        vendor=manifest["database_vendor"], files=sorted(manifest["files"]), created_at=manifest["created_at"]
    )
