"""When a request for information must be answered: working days in England and Wales.

A routine request is due within 10 working days, an urgent one within 2, and one about an immediate
risk of harm on the working day it is made. Working days skip Saturdays, Sundays and the bank holidays
of England and Wales (the `holidays` package keeps them, substitute days included).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays
from django.utils import timezone

# How many working days after the day it is made a request falls due, by urgency.
WORKING_DAYS = {"routine": 10, "urgent": 2, "immediate": 0}


@lru_cache(maxsize=64)
def bank_holidays(year: int) -> frozenset[dt.date]:
    """England and Wales bank holidays in `year` (the two share one list; Wales is added in case)."""
    england = holidays.country_holidays("GB", subdiv="ENG", years=year)
    wales = holidays.country_holidays("GB", subdiv="WLS", years=year)
    return frozenset(england) | frozenset(wales)


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in bank_holidays(day.year)


def next_working_day(day: dt.date) -> dt.date:
    """`day` itself if it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def add_working_days(start: dt.date, count: int) -> dt.date:
    """The working day `count` working days after `start` (`count` 0: `start`, or the next working day)."""
    if count < 0:
        raise ValueError("count must not be negative")
    day = next_working_day(start) if count == 0 else start
    for _ in range(count):
        day = next_working_day(day + dt.timedelta(days=1))
    return day


def due_on(requested_at: dt.datetime, urgency: str) -> dt.date:
    """The last day on which a request made at `requested_at` with `urgency` is answered in time."""
    return add_working_days(timezone.localdate(requested_at), WORKING_DAYS[urgency])
