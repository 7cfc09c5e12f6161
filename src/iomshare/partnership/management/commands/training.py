"""`iomshare training remind [--today YYYY-MM-DD]`: run daily, like `iomshare actions remind`."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from iomshare.kit.commands import today_option
from iomshare.partnership.training_reminders import remind_of_expiry


class Command(BaseCommand):
    help = "Training: remind staff and their managers of training or vetting expiring (once each)."

    def add_arguments(self, parser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True, metavar="{remind}")
        run = commands.add_parser(
            "remind", help="Notify people, and their managers, of training or vetting expiring or expired."
        )
        run.add_argument("--today", help="Run as if today were this date (YYYY-MM-DD).")

    def handle(self, *args, subcommand: str, today: str | None = None, **options) -> None:
        day = today_option(today)
        sent = remind_of_expiry(today=day)
        self.stdout.write(
            f"Sent {sent} reminder{'s' if sent != 1 else ''} of training or vetting expiring.\n"
        )
