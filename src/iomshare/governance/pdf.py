"""The health check as a PDF for the partnership board, laid out by ReportLab's platypus.

The charts are the page's own drawings (governance.charts), placed as vector graphics.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus import Table as PdfTable

from iomshare.governance.health import HealthCheck, Table

GRID = TableStyle(
    [
        ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 9),
        ("FONT", (0, 1), (-1, -1), "Helvetica", 9),
        ("LINEBELOW", (0, 0), (-1, -1), 0.5, colors.HexColor("#b1b4b6")),
        ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
)


def render(check: HealthCheck) -> bytes:
    """The PDF's bytes: a title, the verdicts, then each question with its figures, chart and tables."""
    styles = getSampleStyleSheet()
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out, pagesize=A4, title="Partnership health check", leftMargin=18 * mm, rightMargin=18 * mm
    )
    width = A4[0] - 36 * mm
    story = [
        Paragraph("Partnership health check", styles["Title"]),
        Paragraph(f"As of {check.today:%-d %B %Y}. Counts only: no person is named.", styles["Normal"]),
        Spacer(1, 6 * mm),
    ]
    for section in check.sections:
        story.append(Paragraph(escape(f"{section.number}. {section.question}"), styles["Heading2"]))
        story.append(Paragraph(escape(f"Verdict: {section.verdict}. {section.summary}"), styles["Normal"]))
        rows = [["Figure", "Value"], *[[f.label, f.shown] for f in section.figures]]
        story.append(_table(rows, [width * 0.75, width * 0.25]))
        if section.chart is not None:
            story.append(KeepTogether([Spacer(1, 3 * mm), _fit(section.chart.drawing, width)]))
        for table in section.tables[:2]:
            story.append(Spacer(1, 3 * mm))
            story.append(Paragraph(escape(table.caption), styles["Heading4"]))
            story.append(_table(_cells(table), None))
        if section.not_answered:
            story.append(Paragraph(escape(section.not_answered), styles["Italic"]))
        story.append(Spacer(1, 5 * mm))
    document.build(story)
    return out.getvalue()


def _cells(table: Table) -> list[list[str]]:
    return [table.headers, *[[str(cell) for cell in row] for row in table.rows[:25]]]


def _table(rows: list[list[str]], widths) -> PdfTable:
    table = PdfTable(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(GRID)
    return table


def _fit(drawing, width: float):
    if drawing.width > width:
        scale = width / drawing.width
        drawing = drawing.copy()
        drawing.scale(scale, scale)
        drawing.width, drawing.height = drawing.width * scale, drawing.height * scale
    return drawing
