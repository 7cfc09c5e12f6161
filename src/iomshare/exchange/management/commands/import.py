"""`iomshare import FILE --profile NAME`: check or import an agency extract from the command line."""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from iomshare.errors import DomainError
from iomshare.exchange.imports import Outcome, import_file
from iomshare.exchange.models import FileType, ImportProfile
from iomshare.partnership.models import Role, StaffMember


class Command(BaseCommand):
    help = (
        "Check (--dry-run) or import an agency extract through an import profile. Nothing is written "
        "unless every row is valid, unless --accept-valid-rows is given with --rejects-file, which then "
        "receives the rejected rows and their problems. Keys already imported are skipped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The extract: CSV, JSON or XLSX, as the profile says.")
        parser.add_argument("--profile", required=True, help="Name of the import profile.")
        parser.add_argument("--dry-run", action="store_true", help="Check every row and write nothing.")
        parser.add_argument(
            "--accept-valid-rows",
            action="store_true",
            help="Import the valid rows even if some rows have problems (needs --rejects-file).",
        )
        parser.add_argument(
            "--rejects-file", type=Path, help="Write the rejected rows, with their problems, here (CSV)."
        )
        parser.add_argument(
            "--as",
            dest="username",
            help="Username to import as (default: the profile agency's system account).",
        )

    def handle(self, *args, **options) -> None:
        console = Console(stderr=False, highlight=False)
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"There is no file at {path}.")
        profile = (
            ImportProfile.objects.select_related("agency", "form").filter(name=options["profile"]).first()
        )
        if profile is None:
            names = ", ".join(ImportProfile.objects.values_list("name", flat=True)) or "none yet"
            raise CommandError(
                f"There is no import profile called {options['profile']!r} (profiles: {names})."
            )
        if options["accept_valid_rows"] and not options["rejects_file"]:
            raise CommandError("--accept-valid-rows needs --rejects-file, so the rejected rows are not lost.")
        if options["dry_run"] and options["accept_valid_rows"]:
            raise CommandError("--dry-run writes nothing, so --accept-valid-rows makes no sense with it.")
        by = self._importer(profile, options["username"])
        started = time.perf_counter()
        unit = "rows" if profile.file_type != FileType.CSV else "bytes"
        columns = [TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%")]
        if unit == "bytes":
            columns.append(DownloadColumn())
        columns.append(TimeRemainingColumn())
        rejects_path: Path | None = options["rejects_file"]
        with (
            Progress(*columns, console=console, transient=True) as bar,
            rejects_path.open("w", newline="", encoding="utf-8")
            if rejects_path
            else contextlib.nullcontext() as rejects,
        ):
            task = bar.add_task("Checking" if options["dry_run"] else "Importing", total=None)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total or None)

            try:
                outcome = import_file(
                    profile,
                    path,
                    by=by,
                    write=not options["dry_run"],
                    accept_valid_rows=options["accept_valid_rows"],
                    rejects=rejects,
                    progress=progress,
                )
            except DomainError as error:
                raise CommandError(error.message) from None
        self._report(
            console, profile, outcome, options["dry_run"], time.perf_counter() - started, rejects_path
        )
        if outcome.problem_count and not options["accept_valid_rows"]:
            raise SystemExit(1)

    def _importer(self, profile: ImportProfile, username: str | None) -> StaffMember:
        if username:
            by = (
                StaffMember.objects.select_related("agency").filter(username=username, is_active=True).first()
            )
            if by is None:
                raise CommandError(f"There is no active staff member with the username {username!r}.")
            return by
        accounts = list(
            StaffMember.objects.filter(agency=profile.agency, role=Role.SYSTEM, is_active=True)[:2]
        )
        if len(accounts) != 1:
            raise CommandError(
                f"Say who imports with --as USERNAME: {profile.agency} has "
                f"{'no' if not accounts else 'more than one'} system account."
            )
        return accounts[0]

    def _report(
        self,
        console: Console,
        profile: ImportProfile,
        outcome: Outcome,
        dry_run: bool,
        seconds: float,
        rejects: Path | None,
    ) -> None:
        summary = Table(title=f"{profile.title} ({profile.name})", show_header=False)
        summary.add_row("Rows read", f"{outcome.rows_read:,}")
        summary.add_row("Valid rows", f"{outcome.rows_valid:,}")
        summary.add_row("Rows with problems", f"{outcome.rows_rejected:,}")
        summary.add_row("Already imported (skipped)", f"{outcome.rows_already_imported:,}")
        if dry_run:
            summary.add_row(
                "Would be imported",
                f"{outcome.rows_new:,}" if not outcome.problem_count else "0 (fix the problems first)",
            )
        else:
            summary.add_row("Items created", f"{outcome.rows_created:,}")
        rate = outcome.rows_read / seconds if seconds else 0
        summary.add_row("Time", f"{seconds:.1f} s ({rate:,.0f} rows a second)")
        console.print(summary)
        if outcome.problems:
            problems = Table(title=f"Problems ({outcome.problem_count:,})")
            for heading in ("Row", "Column", "Value", "Reason"):
                problems.add_column(heading, overflow="fold")
            for problem in outcome.problems:
                problems.add_row(str(problem.row or ""), problem.column, problem.value, problem.reason)
            console.print(problems)
            if outcome.problem_count > len(outcome.problems):
                console.print(
                    f"{outcome.problem_count - len(outcome.problems):,} more problems are not shown"
                    + (
                        f": every rejected row is in {rejects}"
                        if rejects
                        else ": use --rejects-file to get every rejected row"
                    )
                )
        if dry_run:
            console.print("Dry run: nothing was written.")
        elif outcome.problem_count and not outcome.written:
            console.print(
                "[bold red]Nothing was imported[/]: correct the problems, or use --accept-valid-rows with --rejects-file."
            )
        elif outcome.written or outcome.rows_created == 0:
            console.print(
                f"Imported {outcome.rows_created:,} new items."
                + (f" Rejected rows are in {rejects}." if rejects and outcome.rows_rejected else "")
            )
