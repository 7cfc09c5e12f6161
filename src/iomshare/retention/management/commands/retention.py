"""`iomshare retention sweep [--today YYYY-MM-DD] [--dry-run]`: run daily (cron, a systemd timer)."""

from __future__ import annotations

from typing import IO, cast

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from iomshare.kit.commands import today_option
from iomshare.retention import jobs, sweep


class Command(BaseCommand):
    help = "Retention: sweep finds what is due, queues reviews and disposes of the rest unless held."

    def add_arguments(self, parser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True, metavar="{sweep}")
        run = commands.add_parser(
            "sweep", help="Act on everything due today (idempotent: safe to re-run or to stop midway)."
        )
        run.add_argument("--today", help="Run as if today were this date (YYYY-MM-DD), to test schedules.")
        run.add_argument("--dry-run", action="store_true", help="Say what is due; change nothing.")
        run.add_argument(
            "--queue", action="store_true", help="Queue the sweep as a job for `iomshare worker` instead."
        )
        run.add_argument(
            "--batch-size",
            type=int,
            default=sweep.BATCH_SIZE,
            help="Items per committed batch (default 500).",
        )

    def handle(self, *args, subcommand: str, **options) -> None:
        if subcommand == "sweep":
            self.sweep(**options)

    def sweep(self, *, today: str | None, dry_run: bool, batch_size: int, queue: bool, **options) -> None:
        day = today_option(today)
        if queue:
            if dry_run:
                raise CommandError("--queue runs the sweep for real; leave out --dry-run.")
            job = jobs.sweep_retention.enqueue(day.isoformat() if day else "")
            self.stdout.write(f"Retention sweep queued as job {job.id}; `iomshare worker` carries it out.")
            return
        if not 1 <= batch_size <= 100_000:
            raise CommandError("--batch-size must be between 1 and 100,000.")
        console = Console(file=cast(IO[str], self.stdout), stderr=False)  # OutputWrapper is a text stream
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        ) as progress:
            task = progress.add_task("Finding items due", total=None)

            def found(total: int) -> None:
                progress.update(task, description="Acting on items due", total=total, completed=0)

            result = sweep.sweep(
                day,
                dry_run=dry_run,
                batch_size=batch_size,
                on_found=found,
                on_batch=lambda n: progress.advance(task, n),
            )
            if dry_run:
                progress.update(task, completed=result.found)
        verb = "Would" if dry_run else "Did"
        self.stdout.write(
            f"Retention sweep for {result.today:%-d %B %Y}{' (dry run: nothing changed)' if dry_run else ''}: "
            f"{result.found:,} items due."
        )
        self.stdout.write(
            f"{verb}: queue {result.queued_for_review:,} for review ({result.held:,} of them under a legal hold), "
            f"dispose of {result.disposed:,}, anonymise {result.anonymised:,}."
        )
        for rule, n in sorted(result.by_rule.items()):
            self.stdout.write(f"  {rule}: {n:,}")
