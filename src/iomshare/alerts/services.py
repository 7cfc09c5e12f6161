"""Sending in-app notifications; each one is itself a ledger entry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from iomshare.alerts.models import AlertPreference, EmailChoice, Notification, Subscription, SubscriptionKind
from iomshare.errors import InvalidInput, NotFound
from iomshare.ledger import services as ledger
from iomshare.ledger.models import Action
from iomshare.partnership.models import StaffMember
from iomshare.people.access_lists import may_see_person
from iomshare.people.models import Person, Tier


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


def mark_read(notification_id: int, *, by: StaffMember) -> Notification:
    """Mark one of `by`'s own notifications read (another's is not found)."""
    notification = Notification.objects.filter(pk=notification_id, recipient=by).first()
    if notification is None:
        raise NotFound("There is no such notification of yours.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def follow(person_id, *, by: StaffMember, stop: bool = False) -> bool:
    """Start (or stop) telling `by` about a person they may know of; whether they now follow."""
    if not may_see_person(by, person_id) or not Person.objects.filter(pk=person_id).exists():
        raise NotFound("There is no such person that you may see.")
    found = Subscription.objects.filter(subscriber=by, kind=SubscriptionKind.PERSON, person_id=person_id)
    if stop:
        found.delete()
        return False
    if not found.exists():
        Subscription.objects.create(subscriber=by, kind=SubscriptionKind.PERSON, person_id=person_id)
    return True


def set_preferences(
    *,
    by: StaffMember,
    email: str,
    tiers: list[str],
    lead_agency: bool,
    quiet_from: dt.time | None = None,
    quiet_until: dt.time | None = None,
) -> None:
    """Save how `by` is told: e-mail (none, each, daily), quiet hours, which tiers, and their agency's cohort."""
    if email not in EmailChoice.values:
        raise InvalidInput(
            "Choose how you want e-mails.", field_errors={"email": "Choose how you want e-mails"}
        )
    if (quiet_from is None) != (quiet_until is None):
        missing = "quiet_until" if quiet_until is None else "quiet_from"
        raise InvalidInput(
            "Choose when your quiet hours start and when they end, or neither.",
            field_errors={missing: "Choose when your quiet hours start and when they end, or neither"},
        )
    if quiet_from is not None and quiet_from == quiet_until:
        raise InvalidInput(
            "Your quiet hours must end at a different time from when they start.",
            field_errors={"quiet_until": "Choose an end different from the start"},
        )
    if unknown := set(tiers) - set(Tier.values):
        raise InvalidInput(
            "Choose tiers from the list.", field_errors={"tiers": f"Unknown tier {sorted(unknown)[0]}"}
        )
    with transaction.atomic():
        AlertPreference.objects.update_or_create(
            staff=by, defaults={"email": email, "quiet_from": quiet_from, "quiet_until": quiet_until}
        )
        Subscription.objects.filter(subscriber=by, kind=SubscriptionKind.TIER).exclude(
            tier__in=tiers
        ).delete()
        for tier in tiers:
            Subscription.objects.get_or_create(
                subscriber=by, kind=SubscriptionKind.TIER, tier=tier, person=None
            )
        team = Subscription.objects.filter(subscriber=by, kind=SubscriptionKind.LEAD_AGENCY)
        if lead_agency and not team.exists():
            Subscription.objects.create(subscriber=by, kind=SubscriptionKind.LEAD_AGENCY)
        elif not lead_agency:
            team.delete()
