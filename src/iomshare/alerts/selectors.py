"""Reads of a staff member's own notifications."""

from __future__ import annotations

from django.db.models import QuerySet

from iomshare.alerts.models import Notification
from iomshare.partnership.models import StaffMember


def notifications_for(viewer: StaffMember) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=viewer)


def unread_count(viewer: StaffMember) -> int:
    return Notification.objects.filter(recipient=viewer, read_at__isnull=True).count()
