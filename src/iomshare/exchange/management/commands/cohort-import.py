"""`iomshare cohort-import FILE --as USERNAME [--check]`: apply the selection panel's file of cohort changes."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from iomshare.errors import DomainError
from iomshare.exchange.cohort_changes import CHANGES, OPTIONAL, REQUIRED, apply_file
from iomshare.partnership.models import StaffMember


class Command(BaseCommand):
    help = (
        "Apply a CSV or XLSX file of cohort changes (one row each: "
        f"{', '.join(CHANGES)}) as the given account, all or nothing. Columns: "
        f"{', '.join(REQUIRED)} (required), {', '.join(OPTIONAL)}. Rows applied before (by key) are skipped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--as", dest="username", required=True, help="Whose changes these are.")
        parser.add_argument("--check", action="store_true", help="Check every row and change nothing.")

    def handle(self, *args, **options) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"There is no file at {path}.")
        by = StaffMember.objects.filter(username=options["username"], is_active=True).first()
        if by is None:
            raise CommandError(f"There is no active account called {options['username']!r}.")
        try:
            outcome = apply_file(path, by=by, check_only=options["check"])
        except DomainError as error:
            raise CommandError(error.message) from None
        for problem in outcome.problems:
            where = f"row {problem.row}" + (f", column {problem.column}" if problem.column else "")
            value = f" ('{problem.value}')" if problem.value else ""
            self.stderr.write(f"{where}{value}: {problem.reason}")
        if outcome.problems:
            raise CommandError(f"{len(outcome.problems)} problem(s): nothing was changed.")
        verb = "would apply" if outcome.checked_only else "applied"
        self.stdout.write(f"{outcome.applied} change(s) {verb}; {outcome.skipped} applied before, skipped.")
