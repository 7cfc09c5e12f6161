"""Sending in-app notifications; each one is itself a ledger entry."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from iomshare.alerts.models import Notification
from iomshare.ledger import services as ledger
from iomshare.ledger.models import Action
from iomshare.partnership.models import StaffMember


@transaction.atomic
def notify(
    recipients: Iterable[StaffMember],
    *,
    message: str,
    link: str = "",
    reason: str,
    person: Any = None,
    items: Iterable[Any] = (),
    by: StaffMember | None = None,
) -> list[Notification]:
    """Notify each recipient and record, per recipient, that they were told (and why)."""
    items = list(items)
    notifications = []
    for recipient in recipients:
        notification = Notification.objects.create(recipient=recipient, message=message[:500], link=link)
        ledger.record(
            Action.NOTIFICATION,
            by=recipient,
            person=person,
            items=items,
            details={
                "notification_id": notification.pk,
                "reason": reason,
                "caused_by": by.get_username() if by else "",
            },
        )
        notifications.append(notification)
    return notifications


def mark_all_read(*, by: StaffMember) -> int:
    """Mark every unread notification of `by` as read; return how many."""
    return Notification.objects.filter(recipient=by, read_at__isnull=True).update(read_at=timezone.now())
