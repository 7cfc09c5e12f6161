"""The monthly snapshot of the health check, kept by a scheduled job so each question shows a trend.

`iomshare health snapshot --queue` from a timer (daily is fine: a month's snapshot is taken once,
by the first run in that month) queues `take_monthly_snapshot` for `iomshare worker`.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import task

from iomshare.governance.models import HealthSnapshot


def snapshot_month(*, today: dt.date | None = None) -> tuple[HealthSnapshot, bool]:
    """The snapshot of `today`'s month, taken now if the month has none yet; (snapshot, whether taken now).

    Idempotent: a second run in the same month keeps the first snapshot, so a timer may run it daily.
    """
    from iomshare.governance.health import health_check

    today = today or timezone.localdate()
    month = today.replace(day=1)
    existing = HealthSnapshot.objects.filter(month=month).first()
    if existing is not None:
        return existing, False
    figures = health_check(today=today, with_trends=False).figures()
    try:
        with transaction.atomic():
            return HealthSnapshot.objects.create(month=month, figures=figures), True
    except IntegrityError:  # another worker took it first
        return HealthSnapshot.objects.get(month=month), False


@task()
def take_monthly_snapshot(today: str = "") -> dict[str, str | bool]:
    """The job: this month's snapshot (as of `today`, ISO date; empty for today)."""
    snapshot, taken = snapshot_month(today=dt.date.fromisoformat(today) if today else None)
    return {"month": snapshot.month.isoformat(), "taken": taken}
