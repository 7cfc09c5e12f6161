"""`iomshare restore ARCHIVE`: check a backup whole, then restore it into a new, empty database."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from iomshare.ledger.verify import verify
from iomshare.operations.backup import BackupFailed, restore_backup


class Command(BaseCommand):
    help = (
        "Restore an `iomshare backup` archive: every checksum is checked first; the database named by "
        "DATABASE_URL must be new and empty; the keys go where IOMSHARE_MASTER_KEY_FILE, "
        "LEDGER_SIGNING_KEY_FILE and LEDGER_TRUSTED_KEYS_DIR say. Then the ledger is verified."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument(
            "--master-key-file", type=Path, help="The key file, for an archive made without it."
        )
        parser.add_argument(
            "--force", action="store_true", help="Overwrite key files that differ from the archive's."
        )
        parser.add_argument("--skip-verify", action="store_true", help="Do not verify the ledger afterwards.")

    def handle(
        self, *args, archive: Path, master_key_file: Path | None, force: bool, skip_verify: bool, **options
    ):
        try:
            restored = restore_backup(archive, master_key_file=master_key_file, force=force)
        except BackupFailed as error:
            raise CommandError(error.message) from error
        self.stdout.write(
            f"Restored the {restored.vendor} backup of {restored.created_at} ({len(restored.files)} files)."
        )
        if skip_verify:
            return
        result = verify()
        if not result.ok:
            raise CommandError(
                f"The restored ledger does not verify: {len(result.problems)} problem(s); run `iomshare ledger verify`."
            )
        self.stdout.write(
            f"The ledger verifies: {result.entries_checked} entries, {result.checkpoints_checked} checkpoints."
        )
