"""Reminders of training and vetting expiring: the person and their managers are told, once each.

Run daily (`iomshare training remind`). A reminder goes within 30 days before the expiry and again on
the day (or the first run after it). Each one sent is a TrainingReminder row, unique per person,
course, expiry date and stage, written in the same transaction as the notification: running twice
sends nothing twice, and a renewal (a new expiry date) starts afresh.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date

from iomshare.alerts import services as alerts
from iomshare.partnership.models import TrainingReminder
from iomshare.partnership.training import VETTING, Expiry, expiries, managers_of

BEFORE = "before"
ON = "on"


def _messages(expiry: Expiry) -> tuple[str, str]:
    """What the person is told, and what their managers are told."""
    what = "Your vetting" if expiry.subject == VETTING else f"Your training ‘{expiry.label}’"
    day = format_date(expiry.expires_on, "j F Y")
    verb = "expired on" if expiry.is_expired else "expires on"
    their = "vetting" if expiry.subject == VETTING else f"training ‘{expiry.label}’"
    own = f"{what} {verb} {day}. Ask your agency's administrator to record its renewal."
    managers = f"The {their} of {expiry.staff_member} {verb} {day}. Record its renewal when it is done."
    return own, managers


@transaction.atomic
def remind_of_expiry(*, today: dt.date | None = None) -> int:
    """Notify each person whose training or vetting expires within 30 days, or has expired, and their
    managers, unless already reminded at this stage; how many reminders were sent."""
    today = today or timezone.localdate()
    sent = 0
    for expiry in expiries(today=today):
        stage = ON if expiry.expires_on <= today else BEFORE
        _, created = TrainingReminder.objects.get_or_create(
            staff_member=expiry.staff_member,
            subject=expiry.subject,
            expires_on=expiry.expires_on,
            stage=stage,
        )
        if not created:
            continue
        own, for_managers = _messages(expiry)
        alerts.notify(
            [expiry.staff_member], message=own, link=reverse("partnership:account"), reason="training_expiry"
        )
        if managers := managers_of(expiry.staff_member):
            alerts.notify(
                managers,
                message=for_managers,
                link=reverse("partnership:training-renewal", args=[expiry.staff_member.pk]),
                reason="training_expiry",
            )
        sent += 1
    return sent
