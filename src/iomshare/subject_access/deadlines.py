"""When a subject access request must be answered, as the ICO's guidance counts it.

One calendar month from the day of receipt (or from the day proof of identity arrives, where it was
needed): the same date next month, or that month's last day if it has no such date; a deadline on a
weekend or an England and Wales bank holiday moves to the next working day. A complex request, or
one of several from the same person, may be extended by up to two further months.
"""

from __future__ import annotations

import calendar
import datetime as dt
from functools import cache

import holidays

MAX_EXTENSION_MONTHS = 2


def add_months(day: dt.date, months: int) -> dt.date:
    """The corresponding date `months` calendar months later (the month's last day if it has none)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@cache
def _bank_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("GB", subdiv="ENG", years=year)


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def next_working_day(day: dt.date) -> dt.date:
    """`day` itself if it is a working day, otherwise the first working day after it."""
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def due_on(
    received_on: dt.date, *, identity_proved_on: dt.date | None = None, extension_months: int = 0
) -> dt.date:
    """The day by which the response must be sent."""
    start = max(received_on, identity_proved_on or received_on)
    return next_working_day(add_months(start, 1 + extension_months))
