"""What the health check is made of: questions, their verdicts, figures, tables and charts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from iomshare.governance.charts import Chart


class Verdict(StrEnum):
    GOOD = "good"
    ATTENTION = "needs attention"
    NOT_ANSWERED = "not answered yet"


@dataclass(frozen=True)
class Figure:
    """One number the partnership can act on; `key` names it in the CSV and the monthly snapshots."""

    key: str
    label: str
    value: int | float | None  # None: the hub does not hold what would answer it
    unit: str = ""  # "%" or " days"

    @property
    def shown(self) -> str:
        if self.value is None:
            return "not counted yet"
        return f"{self.value:,}{self.unit}" if isinstance(self.value, int) else f"{self.value:.1f}{self.unit}"


@dataclass(frozen=True)
class Table:
    """A breakdown (by agency, by agency pair and purpose...): the first column names the row."""

    key: str
    caption: str
    headers: list[str]
    rows: list[list[str | int | float]]


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    # Roles that may open it (empty: everyone who may read the health check); others are not offered it.
    for_roles: frozenset[str] = frozenset()


@dataclass
class Section:
    """One question of the seed, answered from live data (or saying what would answer it)."""

    number: int
    slug: str
    question: str
    verdict: Verdict
    summary: str
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    chart: Chart | None = None
    links: list[Link] = field(default_factory=list)
    not_answered: str = ""  # what the hub would need to answer (the rest of) the question
    trend_key: str = ""
    trend: list[tuple[dt.date, float]] = field(default_factory=list)
    trend_chart: Chart | None = None

    @property
    def trend_label(self) -> str:
        return next((f.label for f in self.figures if f.key == self.trend_key), "")


def percent(part: int, whole: int) -> float | None:
    """`part` as a percentage of `whole`, to one decimal place; None when there is no whole."""
    return round(100 * part / whole, 1) if whole else None
