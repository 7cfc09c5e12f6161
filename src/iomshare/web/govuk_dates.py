"""Parsing the GOV.UK date input pattern (separate day, month and year boxes)."""

from __future__ import annotations

import datetime as dt

from django.http import QueryDict


class DateInputError(ValueError):
    pass


def parse_date_input(data: QueryDict, name: str, label: str, *, required: bool) -> dt.date | None:
    """Read `name-day`, `name-month`, `name-year`; raise DateInputError with a GOV.UK-style message."""
    parts = [data.get(f"{name}-{part}", "").strip() for part in ("day", "month", "year")]
    if not any(parts):
        if required:
            raise DateInputError(f"Enter {label}")
        return None
    missing = [part for part, value in zip(("day", "month", "year"), parts, strict=True) if not value]
    if missing:
        raise DateInputError(f"{label[0].upper()}{label[1:]} must include a {' and '.join(missing)}")
    try:
        day, month, year = (int(p) for p in parts)
        if year < 1900 or year > 2200:
            raise ValueError
        return dt.date(year, month, day)
    except ValueError:
        raise DateInputError(f"{label[0].upper()}{label[1:]} must be a real date") from None
