"""Dates and times the GOV.UK way: parsing the date input pattern, and one time format for every page.

The style guide writes times as "6:14pm", "midnight" and "midday" (never "6:14 p.m." or "18:14"). The
filters below are template builtins (settings.TEMPLATES), so every template has them without loading:
`{{ at|govuk_time }}` and `{{ at|govuk_datetime }}` ("7 December 2026 at 6:14pm"), or
`{{ at|govuk_datetime:"j M Y" }}` for a short date ("7 Dec 2026 at 6:14pm").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django import template
from django.utils import timezone
from django.utils.dateformat import format as format_date

register = template.Library()


def _local(value: dt.datetime | dt.time) -> dt.datetime | dt.time:
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


@register.filter
def govuk_time(value: dt.datetime | dt.time | None) -> str:
    """ "6:14pm", "9am", "midnight" or "midday" (GOV.UK style); empty for no value."""
    if value in (None, ""):
        return ""
    value = _local(value)
    if value.hour == 0 and value.minute == 0:
        return "midnight"
    if value.hour == 12 and value.minute == 0:
        return "midday"
    hour = value.hour % 12 or 12
    minutes = f":{value.minute:02d}" if value.minute else ""
    return f"{hour}{minutes}{'am' if value.hour < 12 else 'pm'}"


@register.filter
def govuk_datetime(value: dt.datetime | None, date_format: str = "j F Y") -> str:
    """ "7 December 2026 at 6:14pm" (the date part in `date_format`); empty for no value."""
    if value in (None, ""):
        return ""
    local = _local(value)
    return f"{format_date(local, date_format)} at {govuk_time(local)}"


class DateInputError(ValueError):
    pass


def parse_date_input(data: Mapping[str, Any], name: str, label: str, *, required: bool) -> dt.date | None:
    """Read `name-day`, `name-month`, `name-year`; raise DateInputError with a GOV.UK-style message."""
    day, month, year = (data.get(f"{name}-{part}", "") for part in ("day", "month", "year"))
    return date_from_parts(day, month, year, label, required=required)


def date_from_parts(day: str, month: str, year: str, label: str, *, required: bool) -> dt.date | None:
    """The date typed in the three boxes; raise DateInputError with a GOV.UK-style message naming `label`."""
    parts = [str(value or "").strip() for value in (day, month, year)]
    if not any(parts):
        if required:
            raise DateInputError(f"Enter {label}")
        return None
    missing = [part for part, value in zip(("day", "month", "year"), parts, strict=True) if not value]
    if missing:
        raise DateInputError(f"{label[0].upper()}{label[1:]} must include a {' and '.join(missing)}")
    try:
        day_number, month_number, year_number = (int(p) for p in parts)
        if year_number < 1900 or year_number > 2200:
            raise ValueError
        return dt.date(year_number, month_number, day_number)
    except ValueError:
        raise DateInputError(f"{label[0].upper()}{label[1:]} must be a real date") from None
