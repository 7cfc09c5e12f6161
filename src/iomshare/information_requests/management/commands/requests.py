"""`iomshare requests escalate [--today YYYY-MM-DD]`: run daily, like the retention sweep."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from iomshare.information_requests.escalation import escalate_overdue_requests
from iomshare.kit.commands import today_option


class Command(BaseCommand):
    help = "Requests for information: escalate overdue ones to the holding agency's IG leads."

    def add_arguments(self, parser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True, metavar="{escalate}")
        run = commands.add_parser(
            "escalate", help="Notify IG leads of requests past their due date (once each)."
        )
        run.add_argument("--today", help="Run as if today were this date (YYYY-MM-DD).")

    def handle(self, *args, subcommand: str, today: str | None = None, **options) -> None:
        day = today_option(today)
        escalated = escalate_overdue_requests(today=day)
        self.stdout.write(
            f"Escalated {len(escalated)} overdue request{'s' if len(escalated) != 1 else ''}.\n"
        )
        for request in escalated:
            self.stdout.write(
                f"  {request.number}: due {request.due_on:%d %B %Y}, {request.holding_agency.name}\n"
            )
