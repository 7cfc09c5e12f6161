"""`iomshare backup [ARCHIVE]`: the database, master key file and ledger keys in one checked archive."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from iomshare.operations.backup import BackupFailed, create_backup


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite online backup, or pg_dump) with the master key file and the ledger "
        "signing and trusted keys into one tar archive (mode 0600) with a manifest of SHA-256 checksums."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "archive",
            nargs="?",
            type=Path,
            help="Where to write the archive (default: var/backups/iomshare-<UTC time>.tar).",
        )
        parser.add_argument(
            "--without-master-key",
            action="store_true",
            help="Leave the master key file out (keep it in a secret store; restore then needs --master-key-file).",
        )

    def handle(self, *args, archive: Path | None, without_master_key: bool, **options):
        if archive is None:
            stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
            archive = Path(settings.VAR_DIR) / "backups" / f"iomshare-{stamp}.tar"
        try:
            manifest = create_backup(archive, include_master_key=not without_master_key)
        except BackupFailed as error:
            raise CommandError(error.message) from error
        self.stdout.write(
            f"Backed up {manifest['database_vendor']} database and {len(manifest['files']) - 1} key file(s) to {archive}"
        )
