import io
import shutil

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.panel import Panel
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from iomshare.demo import DEMO_PASSWORD, DemoSummary, Scale, load_demo
from iomshare.demo.generator import DEFAULT_SEED
from iomshare.errors import DomainError
from iomshare.partnership.demo_second_factor import DEMO_TOTP_SECRET, enrol_demo_accounts
from iomshare.partnership.models import Agency


class Command(BaseCommand):
    help = (
        "Load the synthetic demo partnership (six Northshire agencies, their staff, a cohort and its "
        "records) into an empty database. Synthetic data only; every account shares one demo password."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="Same seed, same partnership.")
        parser.add_argument("--people", type=int, default=Scale.people, help="Cohort size (default 300).")
        parser.add_argument(
            "--items", type=int, default=Scale.items, help="Information items (default 30,000)."
        )
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument(
            "--reset", action="store_true", help="Delete an earlier demo partnership, then load afresh."
        )
        mode.add_argument(
            "--reset-if-absent",
            action="store_true",
            help="Load only when the database holds no agency yet; otherwise do nothing (for `make demo`).",
        )

    def handle(self, *args, seed, people, items, reset, reset_if_absent, **options):
        if people < 1:
            raise CommandError("--people must be at least 1.")
        if items < 0:
            raise CommandError("--items cannot be negative.")
        if reset_if_absent and Agency.objects.exists():
            self.stdout.write(
                "The database already holds a partnership, so the demo was not loaded "
                "(run `iomshare demo --reset` to replace it)."
            )
            return
        progress_console = Console(stderr=True)
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=progress_console,
            transient=True,
            disable=not progress_console.is_terminal or options["verbosity"] == 0,
        ) as bar:
            tasks: dict[str, TaskID] = {}

            def advance(step: str, done: int, total: int) -> None:
                if step not in tasks:
                    tasks[step] = bar.add_task(step, total=total)
                bar.advance(tasks[step], done)

            try:
                summary = load_demo(
                    seed=seed, scale=Scale(people=people, items=items), reset=reset, progress=advance
                )
            except DomainError as error:
                raise CommandError(error.message) from error
        enrol_demo_accounts()
        self._report(summary)

    def _report(self, summary: DemoSummary) -> None:
        buffer = io.StringIO()
        width = max(120, shutil.get_terminal_size().columns)
        console = Console(file=buffer, width=width, force_terminal=self.stdout.isatty(), highlight=False)
        console.print(
            f"Loaded the demo partnership (seed {summary.seed}) in {summary.seconds:.1f} s:\n"
            f"{summary.agencies} agencies, {summary.staff} staff, {summary.people} people, "
            f"{summary.identifiers} identifiers, {summary.items:,} information items, "
            f"{summary.protocols} protocols, {summary.local_terms} agency-local terms."
        )
        table = Table(title="Demo sign-ins", title_justify="left")
        for column in ("Username", "Role", "Agency", "Note"):
            table.add_column(column, no_wrap=column != "Note")
        for login in summary.logins:
            table.add_row(login.username, login.role, login.agency, login.note)
        console.print(table)
        console.print(
            Panel(
                f"Password for every demo account: [bold]{DEMO_PASSWORD}[/bold]\n"
                "DEMO ONLY: this password is public. Never use it, or these accounts, outside a demo.",
                border_style="red",
            )
        )
        console.print(
            Panel(
                f"Second factor for every demo account: the published TOTP secret [bold]{DEMO_TOTP_SECRET}[/bold]\n"
                "Add it to an authenticator app, or run `.venv/bin/iomshare demo-code` for the current code.\n"
                "DEMO ONLY: this secret is public and protects nothing. Never use it outside a demo.",
                border_style="red",
            )
        )
        self.stdout.write(buffer.getvalue(), ending="")
