"""The printable pack: the covering letter, then each released record, as a PDF (reportlab)."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from iomshare.subject_access.letter import covering_letter
from iomshare.subject_access.selectors import Pack


def _rows(entry) -> list[tuple[str, str]]:
    item = entry.item
    rows = [
        ("Held by", item.holding_agency),
        ("Kind of information", item.category),
        ("Recorded", f"{item.recorded_on:%-d %B %Y}"),
        (
            "Applies",
            f"from {item.valid_from:%-d %B %Y}" + (f" to {item.valid_to:%-d %B %Y}" if item.valid_to else ""),
        ),
        ("Status", item.status),
    ]
    if item.details:
        rows.append(("Details", item.details))
    rows += item.answers
    rows.append(("Shared with", ", ".join(entry.shared_with) or "No other agency"))
    return rows


def _cell(value: str, style) -> Paragraph | str:
    """A short one-line value as plain text (fast to lay out); a longer one as a wrapping paragraph."""
    if len(value) <= 60 and "\n" not in value:
        return value
    return Paragraph(escape(value).replace("\n", "<br/>"), style)


def pack_pdf(pack: Pack) -> bytes:
    """The pack as PDF bytes: marked OFFICIAL-SENSITIVE (personal data), one record after another."""
    styles = getSampleStyleSheet()
    body, cell = styles["BodyText"], styles["BodyText"]
    buffer = io.BytesIO()
    request = pack.request

    def marking(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica-Bold", 9)
        canvas.drawCentredString(A4[0] / 2, A4[1] - 12 * mm, "OFFICIAL-SENSITIVE: PERSONAL")
        canvas.drawCentredString(A4[0] / 2, 10 * mm, f"{request.reference} - page {doc.page}")
        canvas.restoreState()

    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=f"Subject access pack {request.reference}",
        author=str(request.coordinating_agency),
    )
    story: list = [Paragraph(escape(request.coordinating_agency.name), styles["Heading2"])]
    story.append(Paragraph(f"{pack.prepared_on:%-d %B %Y}", body))
    story.append(Spacer(1, 6 * mm))
    story += [Paragraph(escape(text), body) for text in covering_letter(pack)]
    story.append(PageBreak())
    story.append(Paragraph(escape(f"Information held about {request.person.full_name}"), styles["Heading1"]))
    if request.person.date_of_birth:
        story.append(Paragraph(f"Date of birth: {request.person.date_of_birth:%-d %B %Y}", body))
    for number, entry in enumerate(pack.entries, start=1):
        story.append(Paragraph(escape(f"{number}. {entry.item.summary}"), styles["Heading3"]))
        table = Table(
            [[label, _cell(value, cell)] for label, value in _rows(entry)],
            colWidths=[45 * mm, 120 * mm],
        )
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("BACKGROUND", (0, 0), (0, -1), colors.whitesmoke),
                ]
            )
        )
        story.append(table)
    if not pack.entries:
        story.append(Paragraph("No information is released in this pack.", body))
    document.build(story, onFirstPage=marking, onLaterPages=marking)
    return buffer.getvalue()
