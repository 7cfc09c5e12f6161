"""Fan-out: each pending event to each recipient, through the door, as an in-app alert (and an e-mail
notice or a webhook delivery where asked for). Idempotent: an event is marked fanned out in the same
transaction as its alerts, so a fan-out picked up again after its worker died sends nothing twice."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from iomshare.alerts.models import CohortEvent, EventKind, Notification, WebhookEndpoint
from iomshare.alerts.recipients import action_owners, recipients_of
from iomshare.partnership.models import StaffMember
from iomshare.people.models import Person
from iomshare.records.selectors import AlertSight, alert_for

BATCH = 200
# Told in-app already by the service that made them (to everyone the ledger says saw the item, or the
# requester): the event still goes to webhooks and the feed.
TOLD_ALREADY = {EventKind.CORRECTION, EventKind.WITHDRAWAL, EventKind.REQUEST_DECISION}


def standing_purpose() -> str:
    """The purpose alerts are decided for: IOM key workers and teams manage risk."""
    return getattr(settings, "IOMSHARE_ALERT_PURPOSE", "risk_management")


@task()
def fan_out_events() -> int:
    """The job: fan out every pending event; how many."""
    done = 0
    while count := fan_out(limit=BATCH):
        done += count
    return done


def fan_out(*, limit: int = BATCH) -> int:
    """Fan out up to `limit` pending events in one transaction; how many were fanned out."""
    with transaction.atomic():
        events = list(
            CohortEvent.objects.select_for_update(skip_locked=True)
            .filter(fanned_out_at__isnull=True)
            .order_by("id")[:limit]
        )
        if not events:
            return 0
        recipients = recipients_of({event.person_id for event in events})
        owners = action_owners(event for event in events if event.kind == EventKind.ACTION_DUE)
        staff = StaffMember.objects.select_related("agency").in_bulk(
            {staff_id for found in (*recipients.values(), *owners.values()) for staff_id in found}
        )
        people = Person.objects.in_bulk({event.person_id for event in events})
        endpoints = list(WebhookEndpoint.objects.filter(is_active=True).select_related("account__agency"))
        notifications: list[Notification] = []
        for event in events:
            person = people.get(event.person_id)
            if person is None:
                continue
            if event.kind == EventKind.ACTION_DUE:
                told = owners.get(event.pk, {})  # the action's owner, not everyone around the person
            else:
                told = recipients[event.person_id] if event.kind not in TOLD_ALREADY else {}
            for staff_id, reason in told.items():
                if staff_id == event.details.get("by") or staff_id not in staff:
                    continue
                if (notification := _in_app(event, person, staff[staff_id], reason)) is not None:
                    notifications.append(notification)
            if endpoints:
                from iomshare.alerts.webhooks import deliveries_for

                deliveries_for(event, endpoints)
        Notification.objects.bulk_create(notifications, batch_size=2000)
        CohortEvent.objects.filter(pk__in=[event.pk for event in events]).update(fanned_out_at=timezone.now())
    if notifications:
        from iomshare.alerts.email import queue_notices

        queue_notices(notifications)
    return len(events)


def _sight(event: CohortEvent, recipient: StaffMember, channel: str, reason: str) -> AlertSight:
    return alert_for(
        recipient,
        person_id=event.person_id,
        item_id=event.item_id,
        purpose=standing_purpose(),
        details={"event_id": event.pk, "event": event.kind, "channel": channel, "reason": reason},
    )


def _in_app(event: CohortEvent, person: Person, recipient: StaffMember, reason: str) -> Notification | None:
    seen = _sight(event, recipient, "in_app", reason)
    message = message_for(event, person, seen)
    if message is None:
        return None
    if event.kind == EventKind.ACTION_DUE:
        link = reverse("casework:action", args=[event.details.get("action")])
    else:
        link = reverse("people:person", args=[person.pk])
    return Notification(
        recipient=recipient,
        message=message[:500],
        link=link,
        event=event,
        kind=event.kind if seen.item is not None or event.item_id is None else EventKind.NEW_INFORMATION,
        is_urgent=event.is_urgent,
    )


def message_for(event: CohortEvent, person: Person, seen: AlertSight) -> str | None:
    """What the alert says: only what the door let through; None when the recipient is told nothing."""
    if not seen.may_know_person:
        return None
    label = EventKind(event.kind).label
    name = f"{person.given_name} {person.family_name}"
    if seen.item is not None:
        return f"{label}: {name}. {seen.item.holding_agency.name} recorded: {seen.item.summary}"
    if seen.withheld_agency is not None:
        assert seen.withheld_category is not None  # the door sets both or neither
        return (
            f"{seen.withheld_agency.name} has new information about {name} "
            f"({seen.withheld_category.name.lower()}). You cannot see it for risk management; "
            f"open {name}'s page to ask {seen.withheld_agency.name} for it."
        )
    if event.item_id is not None:
        return None  # its existence is not the recipient's to know
    if event.kind == EventKind.ACTION_DUE:
        when = "today" if event.details.get("when") == "today" else "tomorrow"
        return f"Action {event.details.get('number', '')} about {name} is due {when}."
    return f"{label}: {name}."
