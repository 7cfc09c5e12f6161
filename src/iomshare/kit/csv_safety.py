"""CSV that is safe to open in a spreadsheet: no cell can run as a formula (CSV injection).

A cell starting with =, +, -, @, a tab or a carriage return is run as a formula by Excel, LibreOffice
and Google Sheets (OWASP's advice); a leading apostrophe makes it plain text again.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """The value, with a leading ' if it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(value) for value in values]
