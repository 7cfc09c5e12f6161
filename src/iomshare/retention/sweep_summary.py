"""The sweep's own actions, for the retention hub: what it disposed of without a person deciding,
and the legal holds that stopped it (issue 20). Counts by agency and kind of information only."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Sum

from iomshare.governance.charts import Chart, bar_chart
from iomshare.partnership.models import StaffMember
from iomshare.retention import selectors
from iomshare.retention.models import LegalHold, SweepOutcome, SweepRun, SweepTally
from iomshare.web.govuk_dates import govuk_datetime

RECENT_RUNS = 7


@dataclass(frozen=True)
class SweepRow:
    """One agency's items of one kind that the recent sweeps acted on."""

    agency: str
    category: str
    disposed: int
    anonymised: int
    held: int


@dataclass(frozen=True)
class SweepSummary:
    runs: list[SweepRun]  # newest first
    rows: list[SweepRow]
    holds: list[LegalHold]
    chart: Chart | None

    @property
    def latest(self) -> SweepRun | None:
        return self.runs[0] if self.runs else None


def sweep_summary(viewer: StaffMember, *, runs: int = RECENT_RUNS) -> SweepSummary:
    """The last `runs` sweeps: when, what each did, by agency and kind over all of them, and the holds
    (that `viewer` may see) that stopped a disposal."""
    recent = list(SweepRun.objects.order_by("-started_at", "-id")[:runs])
    totals: dict[tuple[str, str], dict[str, int]] = {}
    for agency, category, outcome, count in (
        SweepTally.objects.filter(run__in=recent)
        .values_list("holding_agency__name", "category__name", "outcome")
        .annotate(total=Sum("count"))
        .order_by("holding_agency__name", "category__name", "outcome")
    ):
        totals.setdefault((agency, category), {})[outcome] = count
    rows = [
        SweepRow(
            agency,
            category,
            counts.get(SweepOutcome.DISPOSED, 0),
            counts.get(SweepOutcome.ANONYMISED, 0),
            counts.get(SweepOutcome.HELD, 0),
        )
        for (agency, category), counts in totals.items()
    ]
    holds = list(
        selectors.visible_holds(viewer)
        .filter(
            pk__in=SweepRun.stopping_holds.through.objects.filter(sweeprun__in=recent).values("legalhold")
        )
        .order_by("-placed_at")
    )
    return SweepSummary(recent, rows, holds, _chart(recent))


def _chart(runs: list[SweepRun]) -> Chart | None:
    """Bars per sweep, oldest first, labelled with when it ran (as the table beside): disposed,
    anonymised, and stopped by a hold."""
    if not any(run.disposed or run.anonymised or run.held for run in runs):
        return None
    oldest_first = list(reversed(runs))
    return bar_chart(
        [govuk_datetime(run.started_at) for run in oldest_first],
        [
            ("Disposed of", [run.disposed for run in oldest_first]),
            ("Anonymised", [run.anonymised for run in oldest_first]),
            ("Stopped by a legal hold", [run.held for run in oldest_first]),
        ],
        title="What the retention sweep did on its own, by when it ran",
    )
