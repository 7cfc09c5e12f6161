"""The monthly snapshot job: one snapshot a month, idempotent, and the page's 12-month trend."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from iomshare.governance import snapshots
from iomshare.governance.health import health_check
from iomshare.governance.models import HealthSnapshot

pytestmark = pytest.mark.django_db


def test_the_job_writes_one_snapshot_a_month_however_often_it_runs(partnership):
    today = partnership.today
    first = snapshots.take_monthly_snapshot.call(today.isoformat())
    again = snapshots.take_monthly_snapshot.call(today.isoformat())
    assert first == {"month": today.replace(day=1).isoformat(), "taken": True}
    assert again == {"month": today.replace(day=1).isoformat(), "taken": False}
    assert HealthSnapshot.objects.count() == 1
    snapshot = HealthSnapshot.objects.get()
    assert snapshot.figures == health_check(today=today, with_trends=False).figures()


def test_a_second_run_in_the_month_keeps_the_first_figures(partnership):
    today = partnership.today
    first, _ = snapshots.snapshot_month(today=today)
    partnership.agencies[0].assurance_expires_on = today - dt.timedelta(days=1)
    partnership.agencies[0].save()
    snapshot, taken = snapshots.snapshot_month(today=today)
    assert not taken
    assert snapshot.figures == first.figures
    assert health_check(today=today).figures()["organisations.assurance_lapsed"] == 2
    assert snapshot.figures["organisations.assurance_lapsed"] == 1  # as first taken


def test_a_new_month_gets_its_own_snapshot(db):
    for month in range(1, 4):
        snapshots.snapshot_month(today=dt.date(2026, month, 15))
        snapshots.snapshot_month(today=dt.date(2026, month, 20))
    assert list(HealthSnapshot.objects.order_by("month").values_list("month", flat=True)) == [
        dt.date(2026, 1, 1),
        dt.date(2026, 2, 1),
        dt.date(2026, 3, 1),
    ]


def test_each_section_shows_the_last_twelve_months(db):
    for n in range(14):
        month = dt.date(2025 + (n // 12), n % 12 + 1, 1)
        HealthSnapshot.objects.create(
            month=month, figures={"retention.open_reviews": n, "forms.share_on_standard_form": None}
        )
    check = health_check(today=dt.date(2026, 2, 10))
    retention = next(s for s in check.sections if s.slug == "retention")
    assert [value for _, value in retention.trend] == list(range(2, 14))
    assert retention.trend[0][0] == dt.date(2025, 3, 1)
    assert retention.trend_chart is not None
    forms = next(s for s in check.sections if s.slug == "standard-forms")
    assert forms.trend == []  # a figure not counted that month is left out, not drawn as zero


def test_the_command_takes_the_snapshot_and_can_queue_it(db, capsys):
    call_command("health", "snapshot", "--today", "2026-05-09")
    assert HealthSnapshot.objects.filter(month=dt.date(2026, 5, 1)).exists()
    call_command("health", "snapshot", "--today", "2026-05-30")
    assert "Kept the existing snapshot for May 2026" in capsys.readouterr().out
    call_command("health", "snapshot", "--queue")
    assert "queued as job" in capsys.readouterr().out


def test_the_command_refuses_a_date_it_cannot_read(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("health", "snapshot", "--today", "9 May")
    assert not HealthSnapshot.objects.exists()
