"""Charts for the health check, drawn by ReportLab's graphics library (already a dependency).

The same drawing is rendered to SVG for the page and placed as it is in the PDF. ReportLab's SVG
styles its shapes with `style` attributes, which the page's content security policy would refuse
inline, so the page shows it as an image (a data: URI, allowed by `img-src 'self' data:`), in which
no script runs and the page's policy does not reach. The table beside each chart carries the same
numbers for people who cannot see it.
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass

from reportlab.graphics import renderSVG
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors

# GOV.UK Frontend's palette: blue, orange, dark grey; text in the page's near-black.
SERIES_COLOURS = [colors.HexColor("#1d70b8"), colors.HexColor("#f47738"), colors.HexColor("#505a5f")]
TEXT = colors.HexColor("#0b0c0c")
WIDTH = 960
LABEL_ROOM = 400
ROW = 26
FONT_SIZE = 13


@dataclass(frozen=True)
class Chart:
    title: str
    description: str  # the alternative text: what the chart shows, in words
    drawing: Drawing

    @property
    def svg(self) -> str:
        return renderSVG.drawToString(self.drawing)

    @property
    def data_uri(self) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode()).decode()


def bar_chart(
    labels: list[str], series: list[tuple[str, list[float]]], *, title: str, percent: bool = False
) -> Chart:
    """Horizontal bars, one group per label and one bar per series (a legend when more than one).

    Counts get whole-number steps; percentages an axis from 0 to 100.
    """
    groups = max(len(labels), 1)
    legend_room = 24 if len(series) > 1 else 0
    plot_height = groups * ROW * max(len(series), 1)
    drawing = Drawing(WIDTH, plot_height + 40 + legend_room)
    chart = HorizontalBarChart()
    chart.x, chart.y = LABEL_ROOM, 24 + legend_room
    chart.width, chart.height = WIDTH - LABEL_ROOM - 20, plot_height
    # ReportLab draws the first category, and in each group the first series, at the bottom: both are
    # reversed so the chart reads top down in the order of the table and the legend.
    chart.data = [list(reversed(values)) for _, values in reversed(series)] or [[0]]
    chart.categoryAxis.categoryNames = [_short(label) for label in reversed(labels)] or [""]
    chart.categoryAxis.labels.fontName = chart.valueAxis.labels.fontName = "Helvetica"
    chart.categoryAxis.labels.fontSize = chart.valueAxis.labels.fontSize = FONT_SIZE
    chart.categoryAxis.labels.fillColor = chart.valueAxis.labels.fillColor = TEXT
    chart.valueAxis.valueMin = 0
    if percent:
        chart.valueAxis.valueMax, chart.valueAxis.valueStep = 100, 20
    else:
        greatest = max((value for _, values in series for value in values), default=0)
        step = max(1, math.ceil(greatest / 5))
        chart.valueAxis.valueMax, chart.valueAxis.valueStep = (
            max(step, step * math.ceil(greatest / step)),
            step,
        )
    chart.barSpacing = 1
    chart.groupSpacing = 6
    for index in range(len(series)):
        colour = len(series) - 1 - index
        chart.bars[index].fillColor = SERIES_COLOURS[colour % len(SERIES_COLOURS)]
        chart.bars[index].strokeColor = None
    drawing.add(chart)
    if len(series) > 1:
        drawing.add(_legend([name for name, _ in series], y=legend_room - 6))
    described = "; ".join(
        f"{label}: " + ", ".join(f"{name} {values[i]:g}" for name, values in series)
        for i, label in enumerate(labels)
    )
    return Chart(title=title, description=f"{title}. {described}", drawing=drawing)


def trend_chart(months: list[str], values: list[float], *, title: str) -> Chart:
    """A line over the months given (oldest first)."""
    drawing = Drawing(WIDTH, 220)
    chart = HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = 60, 30, WIDTH - 90, 170
    chart.data = [values or [0]]
    chart.categoryAxis.categoryNames = months or [""]
    chart.categoryAxis.labels.fontName = chart.valueAxis.labels.fontName = "Helvetica"
    chart.categoryAxis.labels.fontSize = chart.valueAxis.labels.fontSize = FONT_SIZE
    chart.categoryAxis.labels.fillColor = chart.valueAxis.labels.fillColor = TEXT
    chart.valueAxis.valueMin = 0
    chart.valueAxis.forceZero = True
    chart.lines[0].strokeColor = SERIES_COLOURS[0]
    chart.lines[0].strokeWidth = 2
    drawing.add(chart)
    described = ", ".join(f"{month} {value:g}" for month, value in zip(months, values, strict=False))
    return Chart(title=title, description=f"{title}: {described}", drawing=drawing)


def _legend(names: list[str], *, y: float) -> Legend:
    legend = Legend()
    legend.x, legend.y = LABEL_ROOM, y
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.deltax = 200
    legend.fontName, legend.fontSize, legend.fillColor = "Helvetica", FONT_SIZE, TEXT
    legend.colorNamePairs = [(SERIES_COLOURS[i % len(SERIES_COLOURS)], name) for i, name in enumerate(names)]
    return legend


def _short(label: str, limit: int = 60) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"
