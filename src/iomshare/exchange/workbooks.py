"""Reading an Excel workbook (.xlsx) extract: its first sheet, measured before and while it is read.

An .xlsx file is a zip of XML parts, so a few kilobytes can unpack to gigabytes (a zip bomb), and
one cell in a sheet's far corner once made openpyxl pad every row to 16,384 columns for tens of
minutes. So the archive's parts are measured before the workbook is opened, and the sheet streams
cell by cell, never padded: a cell past the limits refuses the file as soon as it is met, however far
away it is. Formulas are read as formulas (not their cached values), so the mapper refuses them as
it refuses a CSV cell a spreadsheet would run.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from iomshare.exchange.limits import MB, ReadLimits, in_words
from iomshare.exchange.readers import Extract, FileUnreadable, Row, RowBudget

# Parts smaller than this are not held to the packing ratio: small XML packs well, and costs little.
RATIO_CHECKED_FROM_BYTES = MB


def open_workbook(path: Path, limits: ReadLimits, budget: RowBudget) -> Extract:  # noqa: C901 (a strict reader: one refusal per way a workbook can be malformed, each named)
    """The header and rows of the workbook's first sheet; FileUnreadable past a limit or if damaged."""
    from openpyxl import load_workbook

    check_archive(path, limits)
    try:
        # Not data_only: a formula must be seen as one, not as whatever value Excel last cached.
        workbook = load_workbook(path, read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many kinds for a damaged workbook
        raise FileUnreadable(f"the workbook cannot be opened: {error}") from None
    if not workbook.worksheets:
        workbook.close()
        raise FileUnreadable("the workbook has no sheet of cells")
    sheet = workbook.worksheets[0]
    read = {"rows": 1}
    sheet_rows = _sheet_rows(workbook, sheet, limits)
    try:
        number, header = next(sheet_rows, (0, []))
        while header and not header[-1].strip():
            header.pop()
        if number != 1 or not header:
            raise FileUnreadable("row 1 of the first sheet is empty: the header must be in row 1", row=1)
    except BaseException:
        workbook.close()
        raise
    width = len(header)

    def rows() -> Iterator[tuple[int, Row]]:
        try:
            for number, cells in sheet_rows:
                read["rows"] = number
                if number >= budget.next_check:
                    budget.check(number)
                # Only values past the header count; a sheet's empty cells there are dropped.
                while len(cells) > width and not cells[-1].strip():
                    cells.pop()
                if not "".join(cells).strip():
                    continue
                cells.extend([""] * (width - len(cells)))
                yield number, cells
        finally:
            workbook.close()

    size = min(sheet.max_row or 0, limits.rows + 1)
    return Extract(header=header, rows=rows(), size=size, position=lambda: read["rows"])


def check_archive(path: Path, limits: ReadLimits) -> None:
    """Refuse a workbook whose parts unpack past the limits, before any part is unpacked.

    zipfile unpacks a part to no more than its declared size, so declared sizes bound the work.
    """
    if not zipfile.is_zipfile(path):
        raise FileUnreadable("the file is not an Excel workbook (.xlsx): save it as 'Excel Workbook (.xlsx)'")
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise FileUnreadable(f"the workbook is damaged and cannot be opened: {error}") from None
    if len(parts) > limits.workbook_parts:
        raise FileUnreadable(
            f"the workbook holds {len(parts):,} parts; a workbook an import reads holds at most "
            f"{limits.workbook_parts:,}"
        )
    unpacked = sum(part.file_size for part in parts)
    if unpacked > limits.workbook_unpacked_bytes:
        raise FileUnreadable(
            f"the workbook unpacks to {in_words(unpacked)}; the most one import may unpack is "
            f"{in_words(limits.workbook_unpacked_bytes)}: split it into smaller files"
        )
    for part in parts:
        if (
            part.filename.lower().endswith("sharedstrings.xml")
            and part.file_size > limits.workbook_shared_text_bytes
        ):
            raise FileUnreadable(
                f"the workbook's text table ({part.filename}) unpacks to {in_words(part.file_size)}; it is held "
                f"in memory whole, so the most one import may read is {in_words(limits.workbook_shared_text_bytes)}: "
                "split the workbook, or send the extract as CSV"
            )
        if (
            part.file_size >= RATIO_CHECKED_FROM_BYTES
            and part.file_size > limits.workbook_packing_ratio * max(part.compress_size, 1)
        ):
            ratio = part.file_size // max(part.compress_size, 1)
            raise FileUnreadable(
                f"the workbook's part {part.filename} unpacks to {ratio:,} times its packed size "
                f"({in_words(part.file_size)}); real workbooks stay under {limits.workbook_packing_ratio:,} "
                "times, so this one looks made to exhaust memory (a zip bomb)"
            )


def _sheet_rows(workbook: Any, sheet: Any, limits: ReadLimits) -> Iterator[tuple[int, list[str]]]:
    """(row number, cell texts up to the row's last cell) for each row the sheet holds, in order.

    openpyxl's own parser, without the read-only sheet's padding: rows the sheet leaves out are not
    made, and a row is as wide as its last cell, which must lie within the limits.
    """
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet._reader import WorkSheetParser

    cells_read = 0
    with sheet._get_source() as source:
        parser = WorkSheetParser(
            source,
            sheet._shared_strings,
            data_only=False,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,
            timedelta_formats=workbook._timedelta_formats,
        )
        for number, cells in parser.parse():
            if number > limits.rows + 1:
                raise FileUnreadable(
                    f"the file has more than {limits.rows:,} rows, the most one import may read: the sheet "
                    f"uses row {number:,} (is something typed far below the table?)",
                    row=number,
                )
            cells_read += len(cells)
            if cells_read > limits.workbook_cells:
                raise FileUnreadable(
                    f"the sheet has more than {limits.workbook_cells:,} cells, the most one import may read: "
                    "split it into smaller files",
                    row=number,
                )
            texts: list[str] = []
            for cell in cells:
                if cell["value"] is None:
                    continue
                column = cell["column"]
                if column > limits.columns:
                    letter = get_column_letter(column)
                    raise FileUnreadable(
                        f"cell {letter}{number} is in column {column:,}; the most columns one import may read "
                        f"is {limits.columns:,}: is something typed far to the right of the table?",
                        row=number,
                        column=letter,
                    )
                if column > len(texts):
                    texts.extend([""] * (column - len(texts)))
                texts[column - 1] = _cell_text(cell["value"], is_formula=cell["data_type"] == "f")
            yield number, texts


def _cell_text(value: Any, *, is_formula: bool = False) -> str:
    """A cell's value as the text an import reads; a formula as its text, starting with '='."""
    if is_formula:
        text = getattr(value, "text", None) or (value if isinstance(value, str) else "")
        return text if text.startswith("=") else "=" + (text or "formula")
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
