"""`iomshare actions remind [--today YYYY-MM-DD] [--queue]`: run daily, like the retention sweep."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from iomshare.casework.reminders import remind_due_actions, remind_due_actions_job
from iomshare.kit.commands import today_option


class Command(BaseCommand):
    help = "Actions: remind owners of actions due tomorrow and today (once each)."

    def add_arguments(self, parser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True, metavar="{remind}")
        run = commands.add_parser(
            "remind", help="Write 'action due' events for actions due tomorrow or today."
        )
        run.add_argument("--today", help="Run as if today were this date (YYYY-MM-DD).")
        run.add_argument("--queue", action="store_true", help="Queue it for `iomshare worker` instead.")

    def handle(
        self, *args, subcommand: str, today: str | None = None, queue: bool = False, **options
    ) -> None:
        day = today_option(today)
        if queue:
            result = remind_due_actions_job.enqueue(today=day.isoformat() if day else "")
            self.stdout.write(f"Queued the reminders as job {result.id}.\n")
            return
        written = remind_due_actions(today=day)
        self.stdout.write(f"Wrote {written} reminder{'s' if written != 1 else ''} of actions due.\n")
