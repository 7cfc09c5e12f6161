"""`iomshare health snapshot`: this month's snapshot of the health check (idempotent)."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from iomshare.governance import snapshots


class Command(BaseCommand):
    help = "The partnership health check: take this month's snapshot (the first run in a month counts)."

    def add_arguments(self, parser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True, metavar="{snapshot}")
        run = commands.add_parser("snapshot", help="Take this month's snapshot unless it has one already.")
        run.add_argument("--today", help="Run as if today were this date (YYYY-MM-DD).")
        run.add_argument(
            "--queue", action="store_true", help="Queue it as a job for `iomshare worker` instead."
        )

    def handle(self, *args, subcommand: str, today: str | None, queue: bool, **options) -> None:
        try:
            day = dt.date.fromisoformat(today) if today else None
        except ValueError as error:
            raise CommandError(
                f"--today must be a date as YYYY-MM-DD, for example 2026-12-01 ({error})."
            ) from error
        if queue:
            job = snapshots.take_monthly_snapshot.enqueue(day.isoformat() if day else "")
            self.stdout.write(
                f"Health check snapshot queued as job {job.id}; `iomshare worker` carries it out."
            )
            return
        snapshot, taken = snapshots.snapshot_month(today=day)
        verb = "Took" if taken else "Kept the existing"
        self.stdout.write(f"{verb} snapshot for {snapshot.month:%B %Y} ({len(snapshot.figures)} figures).")
