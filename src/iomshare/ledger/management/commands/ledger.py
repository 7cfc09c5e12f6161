"""`iomshare ledger verify | checkpoint | grant-append-only | rotate-key`."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from iomshare.ledger import hashing, services, signing
from iomshare.ledger.models import AgencyDisclosure, Checkpoint, LedgerEntry
from iomshare.ledger.verify import verify

LEDGER_MODELS = [LedgerEntry, Checkpoint, AgencyDisclosure]


class Command(BaseCommand):
    help = "Verify the disclosure ledger, write a signed checkpoint, or lock the ledger down."

    def add_arguments(self, parser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True, metavar="{verify,checkpoint,...}")
        check = commands.add_parser("verify", help="Check every entry and checkpoint; exit 1 on any problem.")
        check.add_argument(
            "--witness-file", type=Path, help="Also check the checkpoints copied to this file."
        )
        check.add_argument(
            "--workers",
            type=int,
            default=2,
            help="PostgreSQL connections reading the entries at once, on one snapshot (default 2).",
        )
        point = commands.add_parser("checkpoint", help="Sign the head of every lane now (schedule this).")
        point.add_argument("--witness-file", type=Path, help="Append the checkpoint to this file too.")
        grant = commands.add_parser(
            "grant-append-only", help="PostgreSQL: let a role insert and read the ledger, never change it."
        )
        grant.add_argument("--role", required=True, help="The application's database role.")
        commands.add_parser("rotate-key", help="Retire the checkpoint signing key and start a new one.")

    def handle(self, *args, subcommand: str, **options) -> None:
        actions: dict[str, Callable[..., None]] = {
            "verify": self.verify,
            "checkpoint": self.checkpoint,
            "grant-append-only": self.grant_append_only,
            "rotate-key": self.rotate_key,
        }
        actions[subcommand](**options)

    def verify(self, *, witness_file: Path | None = None, workers: int = 2, **options) -> None:
        if witness_file is not None and not witness_file.is_file():
            raise CommandError(f"The witness file {witness_file} does not exist.")
        if not 1 <= workers <= 16:
            raise CommandError("--workers must be between 1 and 16.")
        result = verify(witness_file=witness_file, workers=workers)
        rate = result.entries_checked / result.seconds if result.seconds else 0
        self.stdout.write(
            f"Checked {result.entries_checked:,} entries and {result.checkpoints_checked:,} checkpoints "
            f"in {result.seconds:.2f}s ({rate:,.0f} entries/s)."
        )
        if result.ok:
            self.stdout.write(self.style.SUCCESS("The ledger is intact."))
            return
        first = result.first_problem
        self.stdout.write(self.style.ERROR(f"The ledger has been tampered with. First bad: {first}"))
        for problem in result.problems:
            self.stdout.write(f"  - {problem}")
        raise CommandError(f"{len(result.problems)} problem(s) found.", returncode=1)

    def checkpoint(self, *, witness_file: Path | None = None, **options) -> None:
        checkpoint = services.write_checkpoint(wait=True)
        assert checkpoint is not None  # waiting for the lock always yields one
        self.stdout.write(
            self.style.SUCCESS(
                f"Checkpoint {checkpoint.seq}: {checkpoint.entry_count:,} entries, "
                f"signed with key {checkpoint.key_id[:16]}."
            )
        )
        if witness_file is not None:
            record = {
                "seq": checkpoint.seq,
                "at": hashing.timestamp(checkpoint.at),
                "entry_count": checkpoint.entry_count,
                "lane_heads": checkpoint.lane_heads,
                "prev_checkpoint_hash": checkpoint.prev_checkpoint_hash,
                "key_id": checkpoint.key_id,
                "public_key": checkpoint.public_key,
                "signature": checkpoint.signature,
            }
            with witness_file.open("a") as f:
                f.write(hashing.canonical_json(record) + "\n")

    def grant_append_only(self, *, role: str, **options) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("grant-append-only is for PostgreSQL; SQLite has no roles.")
        from psycopg import sql

        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            if cursor.fetchone() is None:
                raise CommandError(f"There is no database role called {role!r}. Create it first.")
            for model in LEDGER_MODELS:
                table = sql.Identifier(model._meta.db_table)
                grantee = sql.Identifier(role)
                cursor.execute(
                    sql.SQL("REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {} FROM {}").format(
                        table, grantee
                    )
                )
                cursor.execute(sql.SQL("GRANT SELECT, INSERT ON {} TO {}").format(table, grantee))
                cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [model._meta.db_table])
                if (sequence := cursor.fetchone()[0]) is not None:
                    cursor.execute(
                        sql.SQL("GRANT USAGE, SELECT ON SEQUENCE {} TO {}").format(sql.SQL(sequence), grantee)
                    )
        self.stdout.write(
            self.style.SUCCESS(f"Role {role!r} may now only read and append to the ledger tables.")
        )

    def rotate_key(self, **options) -> None:
        old, new = signing.rotate_key()
        checkpoint = services.write_checkpoint(wait=True)
        self.stdout.write(
            self.style.SUCCESS(
                f"Retired key {old[:16]} (still trusted for old checkpoints); new key {new[:16]} "
                f"signed checkpoint {checkpoint.seq if checkpoint else '?'}."
            )
        )
        self.stdout.write(f"Keep a copy of {signing.trusted_keys_dir()} with your backups.")
        self.stdout.write(json.dumps({"retired_key_id": old, "key_id": new}))
