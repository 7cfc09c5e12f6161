"""A horizontal bar chart drawn as server-side SVG: no script, no inline style (strict CSP).

Widths are SVG attributes in percent, so the chart scales with the page; the table beside it is the
accessible form of the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

ROW_HEIGHT = 46
BAR_HEIGHT = 18
LONGEST_BAR = 88  # percent of the width, leaving room for the count after the longest bar


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    width: float  # percent of the chart's width
    label_y: int
    bar_y: int
    value_y: int

    @property
    def value_x(self) -> float:
        return round(self.width + 1, 2)


@dataclass(frozen=True)
class BarChart:
    title: str
    bars: list[Bar]
    height: int

    @property
    def description(self) -> str:
        return "; ".join(f"{bar.label}: {bar.value}" for bar in self.bars)


def bar_chart(values: list[tuple[str, int]], *, title: str) -> BarChart:
    """Bars for (label, value) pairs in the order given, the longest for the greatest value."""
    greatest = max((value for _, value in values), default=0)
    bars = []
    for index, (label, value) in enumerate(values):
        top = index * ROW_HEIGHT
        width = round(LONGEST_BAR * value / greatest, 2) if greatest else 0
        bars.append(
            Bar(
                label=label,
                value=value,
                width=max(width, 0.5) if value else 0,
                label_y=top + 16,
                bar_y=top + 22,
                value_y=top + 22 + BAR_HEIGHT - 4,
            )
        )
    return BarChart(title=title, bars=bars, height=len(bars) * ROW_HEIGHT + 4)
