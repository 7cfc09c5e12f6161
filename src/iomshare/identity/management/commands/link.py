"""`iomshare link`: resolve every agency's source records into people, with a progress bar."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from iomshare.demo.source_records import DEFAULT_SEED
from iomshare.demo.synthetic_records import load_synthetic_records
from iomshare.errors import DomainError
from iomshare.identity import services


class Command(BaseCommand):
    help = (
        "Link every agency's source records into people with the trained Splink model (training one "
        "first if there is none). Pairs above the upper threshold are merged, uncertain pairs queued for "
        "review, conflicting clusters flagged. --engine spark runs the same model on Spark."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--engine", choices=["duckdb", "spark"], default="duckdb", help="Where pairs are scored."
        )
        parser.add_argument(
            "--retrain", action="store_true", help="Train a new model on today's records first."
        )
        parser.add_argument(
            "--synthetic",
            type=int,
            default=0,
            metavar="N",
            help="First load N synthetic source records (with realistic errors) for the partnership's agencies.",
        )
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="Seed of the synthetic records.")

    def handle(self, *args, **options) -> None:
        console = Console(stderr=True)
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            disable=options["verbosity"] == 0,
        ) as bar:
            tasks: dict[str, TaskID] = {}

            def advance(step: str, done: int, total: int) -> None:
                if step not in tasks:
                    tasks[step] = bar.add_task(step, total=total)
                bar.update(tasks[step], completed=done, total=total)

            try:
                if options["synthetic"]:
                    loaded, rejected = load_synthetic_records(
                        options["synthetic"], seed=options["seed"], progress=advance
                    )
                    self.stdout.write(
                        f"Loaded {loaded} synthetic source records (seed {options['seed']}); "
                        f"{rejected} too bare to match wait in the cannot-match-yet queue."
                    )
                run = services.link_records(
                    engine=options["engine"], retrain=options["retrain"], progress=advance
                )
            except DomainError as error:
                raise CommandError(error.message) from error
        total = sum(run.seconds.values())
        self.stdout.write(
            f"Linked {run.records} source records in {total:.1f} s ({run.engine}): {run.pairs_scored} pairs scored, "
            f"{run.people_created} new people, {run.records_linked} records linked, {run.merges} merges, "
            f"{run.review_cases} pairs for review, {run.conflicts} clusters need attention."
        )
