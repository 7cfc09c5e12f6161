"""The partnership health check: the ten questions of the seed, answered from live data.

`health_check` is the page's (and the CSV's, the PDF's and the monthly snapshot's) one selector.
Every figure is a count or an aggregate from one grouped query: nothing about any person.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils import timezone

from iomshare.governance.charts import trend_chart
from iomshare.governance.health import keeping, knowledge, sharing
from iomshare.governance.health.types import Figure, Link, Section, Table, Verdict
from iomshare.governance.models import HealthSnapshot
from iomshare.partnership.models import Role

__all__ = [
    "HEALTH_CHECK_ROLES",
    "Figure",
    "HealthCheck",
    "Link",
    "Section",
    "Table",
    "Verdict",
    "health_check",
]

HEALTH_CHECK_ROLES = frozenset({Role.PARTNERSHIP_MANAGER, Role.IG_LEAD})
QUESTIONS = [
    sharing.protocols,
    sharing.training,
    knowledge.organisations,
    keeping.recording,
    keeping.retention,
    keeping.standard_forms,
    keeping.terminology,
    knowledge.practice_notes,
    knowledge.tacit_knowledge,
    sharing.bringing_to_bear,
]
TREND_MONTHS = 12


@dataclass(frozen=True)
class HealthCheck:
    today: dt.date
    sections: list[Section]

    def count(self, verdict: Verdict) -> int:
        return sum(1 for section in self.sections if section.verdict == verdict)

    def figures(self) -> dict[str, int | float | None]:
        """Every headline figure by key: what a monthly snapshot keeps."""
        return {figure.key: figure.value for section in self.sections for figure in section.figures}

    def csv_rows(self) -> Iterator[list]:
        """(question, section, figure or table, row, column, value): every figure and every table cell."""
        for section in self.sections:
            where = [section.number, section.question]
            yield [*where, "verdict", "", "", "", str(section.verdict)]
            for figure in section.figures:
                value = "" if figure.value is None else figure.value
                yield [*where, figure.key, figure.label, "", "", value]
            for table in section.tables:
                for row in table.rows:
                    for header, value in zip(table.headers[1:], row[1:], strict=True):
                        yield [*where, table.key, table.caption, row[0], header, value]


def health_check(*, today: dt.date | None = None, with_trends: bool = True) -> HealthCheck:
    """Every question answered as of `today`, with the last 12 monthly snapshots of each headline."""
    today = today or timezone.localdate()
    sections = [question(today) for question in QUESTIONS]
    if with_trends:
        _add_trends(sections, today)
    return HealthCheck(today=today, sections=sections)


def _add_trends(sections: list[Section], today: dt.date) -> None:
    snapshots = list(HealthSnapshot.objects.filter(month__lte=today).order_by("-month")[:TREND_MONTHS])[::-1]
    for section in sections:
        if not section.trend_key:
            continue
        section.trend = [
            (snapshot.month, value)
            for snapshot in snapshots
            if isinstance(value := snapshot.figures.get(section.trend_key), int | float)
        ]
        if len(section.trend) >= 2:
            section.trend_chart = trend_chart(
                [f"{month:%b %y}" for month, _ in section.trend],
                [float(value) for _, value in section.trend],
                title=f"{section.trend_label}, month by month",
            )
