"""Deadlines for requests for information: working days in England and Wales, shown and escalated."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from iomshare.alerts.models import Notification
from iomshare.information_requests import deadlines, services
from iomshare.information_requests.escalation import escalate_overdue_requests
from iomshare.information_requests.models import InformationRequest
from iomshare.ledger.models import Action, LedgerEntry
from tests.information_requests.conftest import ask

DAY = dt.timedelta(days=1)


def test_a_routine_request_over_christmas_skips_the_weekend_and_bank_holidays():
    # Monday 21 December 2026: 25 Dec (Fri), 26-27 (weekend), 28 Dec (Boxing Day substitute) and
    # 1 Jan 2027 are not working days.
    assert deadlines.add_working_days(dt.date(2026, 12, 21), 10) == dt.date(2027, 1, 7)


def test_an_urgent_request_on_the_thursday_before_easter_is_due_the_tuesday_after():
    # Good Friday 26 March 2027 and Easter Monday 29 March 2027.
    assert deadlines.add_working_days(dt.date(2027, 3, 25), 2) == dt.date(2027, 3, 31)


def test_an_immediate_request_made_on_a_bank_holiday_is_due_the_next_working_day():
    assert deadlines.add_working_days(dt.date(2026, 8, 31), 0) == dt.date(2026, 9, 1)
    assert deadlines.add_working_days(dt.date(2026, 9, 1), 0) == dt.date(2026, 9, 1)


def test_england_and_wales_bank_holidays_come_from_the_holidays_package():
    assert dt.date(2026, 5, 25) in deadlines.bank_holidays(2026)  # spring bank holiday
    assert dt.date(2026, 8, 3) not in deadlines.bank_holidays(2026)  # Scotland's summer holiday only


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    start=st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2032, 12, 31)),
    count=st.integers(min_value=0, max_value=30),
)
def test_deadlines_land_on_working_days_and_count_exactly_the_working_days_between(start, count):
    due = deadlines.add_working_days(start, count)
    assert due.weekday() < 5
    assert due not in deadlines.bank_holidays(due.year)
    assert due >= start
    if count == 0:
        # The same day if it is a working day; else nothing before `due` is one.
        assert not any(deadlines.is_working_day(start + n * DAY) for n in range((due - start).days))
    else:
        # Exactly `count` working days after `start`, the last of them `due`.
        between = [start + n * DAY for n in range(1, (due - start).days + 1)]
        assert sum(deadlines.is_working_day(day) for day in between) == count


def test_a_request_is_given_its_due_date_from_its_urgency(probation_officer, police_ig, person):
    request = ask(services, probation_officer, person)  # urgent
    assert request.due_on == deadlines.add_working_days(timezone.localdate(), 2)
    told = Notification.objects.get(recipient=police_ig)
    assert "due by" in told.message


def _overdue(request: InformationRequest, days: int = 3) -> InformationRequest:
    request.due_on = timezone.localdate() - dt.timedelta(days=days)
    request.save(update_fields=["due_on"])
    return request


def test_an_overdue_request_is_escalated_to_the_holding_agency_ig_leads_once(
    probation_officer, police_ig, person
):
    request = _overdue(ask(services, probation_officer, person))
    Notification.objects.all().delete()
    assert escalate_overdue_requests() == [request]
    (told,) = Notification.objects.all()
    assert told.recipient == police_ig and told.message.startswith(f"Overdue: request {request.number}")
    (entry,) = LedgerEntry.objects.filter(action=Action.REQUEST_ESCALATED)
    assert entry.person_id == person.pk and entry.details["ig_leads"] == ["police.ig"]
    assert escalate_overdue_requests() == []
    assert Notification.objects.count() == 1


def test_a_request_decided_or_not_yet_due_is_not_escalated(probation_officer, police_ig, person):
    request = ask(services, probation_officer, person)
    assert escalate_overdue_requests() == []
    services.refuse_request(_overdue(request), by=police_ig, reason="Not necessary for the purpose given.")
    assert escalate_overdue_requests() == []


def test_the_escalate_command_reports_what_it_escalated(probation_officer, police_ig, person, capsys):
    request = _overdue(ask(services, probation_officer, person))
    call_command("requests", "escalate")
    assert f"Escalated 1 overdue request.\n  {request.number}" in capsys.readouterr().out


@pytest.mark.parametrize("page", ["information_requests:queue", "information_requests:detail"])
def test_the_queue_and_the_request_show_the_due_date_and_flag_overdue(
    client, page, probation_officer, police_ig, person
):
    request = ask(services, probation_officer, person)
    client.force_login(police_ig)
    url = reverse(page, args=[request.pk] if page.endswith("detail") else [])
    shown = client.get(url).content.decode()
    assert f'datetime="{request.due_on:%Y-%m-%d}"' in shown and 'data-testid="overdue"' not in shown
    _overdue(request)
    assert 'data-testid="overdue"' in client.get(url).content.decode()
