"""Reminders of actions due: an "action due" event the day before and on the due date, once each.

Run daily (`iomshare actions remind`, or `--queue` for the worker, beside the retention sweep). Each
open action is reminded at most once per due date and day: the date reminded is kept on the action,
set in the same transaction as the event (alerts.outbox), so a run picked up again after its worker
died, or run twice in a day, reminds nobody twice. The event carries ids only; fan-out tells the
owner (or the owning agency's staff) through the door.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from iomshare.alerts import outbox
from iomshare.alerts.models import EventKind
from iomshare.casework.models import Action, ActionChange, ActionChangeKind, ActionStatus


def _remind(action: Action, when: str) -> None:
    outbox.event(
        EventKind.ACTION_DUE,
        person_id=action.person_id,
        agency_id=action.owning_agency_id,
        action=action.pk,
        number=action.number,
        when=when,
        due_on=action.due_on.isoformat(),
        owner=action.owner_id,
        owning_agency=action.owning_agency_id,
    )
    ActionChange.objects.create(action=action, kind=ActionChangeKind.REMINDED, note=f"Due {when}")


@transaction.atomic
def remind_due_actions(*, today: dt.date | None = None) -> int:
    """Write an "action due" event for each open action due tomorrow or today not yet reminded of
    it; how many reminders were written."""
    today = today or timezone.localdate()
    tomorrow = today + dt.timedelta(days=1)
    written = 0
    open_actions = Action.objects.select_for_update().filter(status=ActionStatus.OPEN)
    for action in open_actions.filter(due_on=tomorrow).exclude(reminded_before_on=tomorrow):
        _remind(action, "tomorrow")
        action.reminded_before_on = action.due_on
        action.save(update_fields=["reminded_before_on"])
        written += 1
    for action in open_actions.filter(due_on=today).exclude(reminded_due_on=today):
        _remind(action, "today")
        action.reminded_due_on = action.due_on
        action.save(update_fields=["reminded_due_on"])
        written += 1
    return written


@task()
def remind_due_actions_job(today: str = "") -> int:
    """The job: remind of actions due as of `today` (ISO date; empty for today)."""
    return remind_due_actions(today=dt.date.fromisoformat(today) if today else None)
