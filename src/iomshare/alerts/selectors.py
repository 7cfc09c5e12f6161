"""Reads of a staff member's own notifications and subscriptions."""

from __future__ import annotations

from django.db.models import QuerySet

from iomshare.alerts.models import Notification, Subscription, SubscriptionKind
from iomshare.partnership.models import StaffMember


def notifications_for(viewer: StaffMember, *, status: str = "", kind: str = "") -> QuerySet[Notification]:
    """`viewer`'s own notifications, newest first; `status` "unread" or "read", `kind` an event kind."""
    found = Notification.objects.filter(recipient=viewer)
    if status == "unread":
        found = found.filter(read_at__isnull=True)
    elif status == "read":
        found = found.filter(read_at__isnull=False)
    if kind:
        found = found.filter(kind=kind)
    return found


def unread_count(viewer: StaffMember) -> int:
    return Notification.objects.filter(recipient=viewer, read_at__isnull=True).count()


def is_following(viewer: StaffMember, person) -> bool:
    return Subscription.objects.filter(
        subscriber=viewer, kind=SubscriptionKind.PERSON, person=person
    ).exists()


def subscriptions_of(viewer: StaffMember) -> QuerySet[Subscription]:
    return Subscription.objects.filter(subscriber=viewer).select_related("person").order_by("kind", "tier")
