"""Quiet hours and urgency: urgent alerts are e-mailed at once; the rest wait and go as one e-mail."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django_tasks_db.models import DBTaskResult

from iomshare.alerts import email, fanout
from iomshare.alerts.models import AlertPreference, EmailChoice, EventSignal, Notification
from iomshare.alerts.services import set_preferences
from iomshare.errors import InvalidInput
from iomshare.records import services

pytestmark = pytest.mark.django_db
LONDON = zoneinfo.ZoneInfo("Europe/London")


def at(hour: int, minute: int = 0, *, day: int = 0) -> dt.datetime:
    """A UK time on a fixed winter day (so UK time is UTC), `day` days later."""
    return dt.datetime(2026, 12, 8 + day, hour, minute, tzinfo=LONDON)


def record(officer, person, offending):
    return services.record_item(
        by=officer, person=person, category=offending, summary="Charged with burglary"
    )


def queued_notice_jobs() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path__endswith="send_notices").order_by("enqueued_at"))


def run_queued(jobs: list[DBTaskResult]) -> int:
    """Run queued notice jobs as the worker would: with the arguments they were queued with."""
    return sum(email.send_notices.call(*job.args_kwargs["args"]) for job in jobs)


@pytest.fixture
def quiet_nights(key_worker):
    return AlertPreference.objects.create(
        staff=key_worker, email=EmailChoice.EACH, quiet_from=dt.time(22), quiet_until=dt.time(7)
    )


@pytest.mark.parametrize(
    ("now", "ends"),
    [
        (at(23), at(7, day=1)),  # before midnight: ends tomorrow morning
        (at(3), at(7)),  # after midnight: ends this morning
        (at(7), None),  # the end itself is not quiet
        (at(21, 59), None),
        (at(22), at(7, day=1)),
    ],
)
def test_quiet_hours_may_run_past_midnight(quiet_nights, now, ends):
    assert email.quiet_hours_end(quiet_nights, now) == ends


def test_quiet_hours_inside_one_day(key_worker):
    lunch = AlertPreference(staff=key_worker, quiet_from=dt.time(12), quiet_until=dt.time(14))
    assert email.quiet_hours_end(lunch, at(13)) == at(14)
    assert email.quiet_hours_end(lunch, at(14)) is None
    assert email.quiet_hours_end(lunch, at(11)) is None


def test_an_alert_in_quiet_hours_waits_until_they_end_and_a_nights_alerts_go_as_one_email(
    officer, person, offending, key_worker, membership, protocol, quiet_nights
):
    with time_machine.travel(at(23), tick=False):
        record(officer, person, offending)
        fanout.fan_out()
    with time_machine.travel(at(2, day=1), tick=False):
        record(officer, person, offending)
        fanout.fan_out()
    jobs = queued_notice_jobs()
    assert [job.task.run_after for job in jobs] == [at(7, day=1), at(7, day=1)], "both wait for 7am"
    with time_machine.travel(at(2, 30, day=1), tick=False):
        assert run_queued(jobs) == 0, "a job run early (say by hand) still keeps the quiet hours"
    with time_machine.travel(at(7, day=1), tick=False):
        assert run_queued(jobs) == 1, "the second job finds nothing left to send"
    [message] = mail.outbox
    assert message.subject == email.SUBJECT
    assert "You have 2 new alerts" in message.body and "burglary" not in message.body
    assert Notification.objects.filter(recipient=key_worker, emailed_at__isnull=True).count() == 0


def test_an_urgent_alert_goes_at_once_in_quiet_hours_and_the_rest_still_wait(
    officer, person, offending, key_worker, membership, protocol, quiet_nights
):
    with time_machine.travel(at(23), tick=False):
        record(officer, person, offending)
        fanout.fan_out()
        EventSignal.objects.filter(category_code="offending").update(is_urgent=True)
        record(officer, person, offending)
        fanout.fan_out()
        now, later = [], []
        for job in queued_notice_jobs():
            (later if job.task.run_after else now).append(job)
        assert len(now) == 1 and [job.task.run_after for job in later] == [at(7, day=1), at(7, day=1)]
        assert run_queued(now) == 1
    [urgent] = mail.outbox
    assert (
        urgent.subject == email.URGENT_SUBJECT and "You have 1 new alert in iomshare (urgent)" in urgent.body
    )
    assert Notification.objects.filter(recipient=key_worker, emailed_at__isnull=True).count() == 1
    with time_machine.travel(at(7, day=1), tick=False):
        assert run_queued(later) == 1
    assert mail.outbox[1].subject == email.SUBJECT and "You have 1 new alert" in mail.outbox[1].body


def test_outside_quiet_hours_an_alert_is_emailed_at_once(
    officer, person, offending, key_worker, membership, protocol, quiet_nights
):
    with time_machine.travel(at(10), tick=False):
        record(officer, person, offending)
        fanout.fan_out()
        [job] = queued_notice_jobs()
        assert job.task.run_after is None
        assert run_queued([job]) == 1


def test_those_who_chose_the_digest_get_urgent_alerts_at_once_and_nothing_else(
    officer, person, offending, key_worker, membership, protocol
):
    AlertPreference.objects.create(staff=key_worker, email=EmailChoice.DAILY)
    record(officer, person, offending)
    fanout.fan_out()
    assert queued_notice_jobs() == [], "an ordinary alert waits for the digest"
    EventSignal.objects.filter(category_code="offending").update(is_urgent=True)
    record(officer, person, offending)
    fanout.fan_out()
    [job] = queued_notice_jobs()
    assert run_queued([job]) == 1
    [urgent] = mail.outbox
    assert urgent.subject == email.URGENT_SUBJECT
    assert email.send_daily_digests.call() == 1, "the digest still lists every unread alert"


def test_those_who_want_no_emails_get_none_even_when_urgent(
    officer, person, offending, key_worker, membership, protocol
):
    AlertPreference.objects.create(staff=key_worker, email=EmailChoice.NONE)
    EventSignal.objects.filter(category_code="offending").update(is_urgent=True)
    record(officer, person, offending)
    fanout.fan_out()
    assert queued_notice_jobs() == [] and email.send_notices.call([key_worker.pk]) == 0


@pytest.mark.parametrize(
    ("quiet_from", "quiet_until", "field"),
    [
        (dt.time(22), None, "quiet_until"),
        (None, dt.time(7), "quiet_from"),
        (dt.time(7), dt.time(7), "quiet_until"),
    ],
)
def test_quiet_hours_need_a_start_and_a_different_end_and_a_refusal_changes_nothing(
    key_worker, quiet_nights, quiet_from, quiet_until, field
):
    with pytest.raises(InvalidInput) as refused:
        set_preferences(
            by=key_worker,
            email=EmailChoice.DAILY,
            tiers=[],
            lead_agency=False,
            quiet_from=quiet_from,
            quiet_until=quiet_until,
        )
    assert field in refused.value.field_errors
    quiet_nights.refresh_from_db()
    assert (quiet_nights.email, quiet_nights.quiet_from, quiet_nights.quiet_until) == (
        EmailChoice.EACH,
        dt.time(22),
        dt.time(7),
    )


def test_the_settings_page_saves_quiet_hours_and_explains_a_missing_end(client, key_worker):
    client.force_login(key_worker)
    page = client.post(
        "/notifications/settings/", {"email": "each", "quiet_from": "22:00", "quiet_until": ""}
    )
    assert page.status_code == 400
    text = page.content.decode()
    assert "Choose when your quiet hours start and when they end, or neither" in text
    assert '<option value="22:00" selected>10pm</option>' in text, "what was chosen is kept"
    assert not AlertPreference.objects.filter(staff=key_worker).exists()
    saved = client.post(
        "/notifications/settings/", {"email": "each", "quiet_from": "22:00", "quiet_until": "07:00"}
    )
    assert saved.status_code == 302
    preference = AlertPreference.objects.get(staff=key_worker)
    assert (preference.quiet_from, preference.quiet_until) == (dt.time(22), dt.time(7))
    shown = client.get("/notifications/settings/").content.decode()
    assert '<option value="07:00" selected>7am</option>' in shown and ">midnight</option>" in shown
