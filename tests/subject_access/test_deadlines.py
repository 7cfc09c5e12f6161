"""The one-month deadline as the ICO counts it: corresponding date, month ends, weekends, bank holidays."""

import datetime as dt

import pytest

from iomshare.subject_access.deadlines import add_months, due_on


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (dt.date(2026, 9, 2), dt.date(2026, 10, 2)),  # the corresponding date, a Friday
        (dt.date(2026, 9, 3), dt.date(2026, 10, 5)),  # 3 October is a Saturday: the next working day
        (dt.date(2026, 1, 31), dt.date(2026, 3, 2)),  # no 31 February: the month's last day, a Saturday
        (dt.date(2026, 3, 31), dt.date(2026, 4, 30)),  # no 31 April: 30 April
        (dt.date(2026, 11, 25), dt.date(2026, 12, 29)),  # Christmas Day, then Boxing Day's substitute
        (dt.date(2026, 4, 6), dt.date(2026, 5, 6)),
        (dt.date(2026, 4, 4), dt.date(2026, 5, 5)),  # 4 May 2026 is the early May bank holiday
    ],
)
def test_a_request_is_due_one_calendar_month_after_receipt_on_a_working_day(received, due):
    assert due_on(received) == due


def test_the_month_runs_from_proof_of_identity_when_it_came_later():
    assert due_on(dt.date(2026, 9, 2), identity_proved_on=dt.date(2026, 9, 16)) == dt.date(2026, 10, 16)


def test_an_extension_adds_whole_calendar_months():
    assert due_on(dt.date(2026, 9, 2), extension_months=2) == dt.date(2026, 12, 2)
    assert add_months(dt.date(2026, 12, 31), 2) == dt.date(2027, 2, 28)
