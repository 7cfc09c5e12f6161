"""How much of a file an import will read: every reader is bounded in size, rows, columns and time.

An extract past a limit is refused whole with the limit named, before the work grows with it; the
limits are documented for agencies' systems teams in docs/forms-and-imports.md. Each can be changed
in settings (`IOMSHARE_IMPORT_...`), which the tests use to try the limits on small files.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

GB = 1024 * 1024 * 1024
MB = 1024 * 1024


@dataclass(frozen=True)
class ReadLimits:
    file_bytes: int  # the file as uploaded
    rows: int  # rows after the header
    columns: int
    cell_characters: int  # what a reader holds of one cell; the mapper's own limit is lower
    seconds: float  # reading one file, start to end
    json_array_bytes: int  # a JSON array is parsed whole, so it has a lower limit than JSON Lines
    workbook_unpacked_bytes: int  # an .xlsx is a zip: the sum of its parts unpacked
    workbook_packing_ratio: int  # unpacked size / packed size of any one large part
    workbook_cells: int
    workbook_parts: int
    workbook_shared_text_bytes: int  # the shared strings part, held in memory whole while a sheet is read


def read_limits() -> ReadLimits:
    """The limits in force, from settings where set."""
    return ReadLimits(
        file_bytes=int(getattr(settings, "IOMSHARE_MAX_IMPORT_BYTES", GB)),
        rows=int(getattr(settings, "IOMSHARE_IMPORT_MAX_ROWS", 2_000_000)),
        columns=int(getattr(settings, "IOMSHARE_IMPORT_MAX_COLUMNS", 500)),
        cell_characters=int(getattr(settings, "IOMSHARE_IMPORT_MAX_CELL_CHARACTERS", MB)),
        seconds=float(getattr(settings, "IOMSHARE_IMPORT_MAX_SECONDS", 2 * 60 * 60)),
        json_array_bytes=int(getattr(settings, "IOMSHARE_IMPORT_MAX_JSON_ARRAY_BYTES", 256 * MB)),
        workbook_unpacked_bytes=int(getattr(settings, "IOMSHARE_IMPORT_MAX_WORKBOOK_UNPACKED_BYTES", 2 * GB)),
        workbook_packing_ratio=int(getattr(settings, "IOMSHARE_IMPORT_MAX_WORKBOOK_PACKING_RATIO", 200)),
        workbook_cells=int(getattr(settings, "IOMSHARE_IMPORT_MAX_WORKBOOK_CELLS", 20_000_000)),
        workbook_parts=int(getattr(settings, "IOMSHARE_IMPORT_MAX_WORKBOOK_PARTS", 10_000)),
        workbook_shared_text_bytes=int(
            getattr(settings, "IOMSHARE_IMPORT_MAX_WORKBOOK_SHARED_TEXT_BYTES", 256 * MB)
        ),
    )


def in_words(size: int) -> str:
    """A size as people say it: '1 GB', '256 MB', '900 KB'."""
    for unit, name in ((GB, "GB"), (MB, "MB"), (1024, "KB")):
        if size >= unit:
            value = size / unit
            return f"{value:,.0f} {name}" if value == int(value) or value >= 10 else f"{value:.1f} {name}"
    return f"{size:,} bytes"
