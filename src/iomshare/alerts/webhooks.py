"""Signed webhooks (Standard Webhooks): thin events to agency systems, retried with exponential
backoff, dead-lettered after the last attempt, logged for an administrator to read and replay.

The receiver verifies the signature with the same library and follows up with an authenticated API
read through the door; a delivery names an item only where the agency's own door would show it, or
let its existence be known.
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.error
import urllib.request
import uuid

from django.conf import settings
from django.utils import timezone
from django_tasks import task
from standardwebhooks import Webhook

from iomshare.alerts.models import (
    CohortEvent,
    DeliveryStatus,
    EventKind,
    WebhookDelivery,
    WebhookEndpoint,
    new_webhook_secret,
)
from iomshare.errors import NotPermitted
from iomshare.partnership.models import Role, StaffMember
from iomshare.records.selectors import alert_for

TIMEOUT_SECONDS = 5


def max_attempts() -> int:
    return int(getattr(settings, "IOMSHARE_WEBHOOK_ATTEMPTS", 6))


def backoff(attempts: int) -> dt.timedelta:
    """Wait before the next attempt: base * 2^(attempts - 1) (30 s, 1 min, 2 min, ... by default)."""
    base = float(getattr(settings, "IOMSHARE_WEBHOOK_BACKOFF_SECONDS", 30))
    return dt.timedelta(seconds=base * 2 ** max(attempts - 1, 0))


def new_secret() -> str:
    return new_webhook_secret()


def deliveries_for(event: CohortEvent, endpoints: list[WebhookEndpoint]) -> list[WebhookDelivery]:
    """Queue `event` to every endpoint that wants it and whose agency's door lets it know (same transaction)."""
    made = []
    for endpoint in endpoints:
        if endpoint.kinds and event.kind not in endpoint.kinds:
            continue
        from iomshare.alerts.fanout import standing_purpose

        seen = alert_for(
            endpoint.account,
            person_id=event.person_id,
            item_id=event.item_id,
            purpose=standing_purpose(),
            details={
                "event_id": event.pk,
                "event": event.kind,
                "channel": "webhook",
                "endpoint": endpoint.pk,
            },
        )
        if not seen.may_know_person or (event.item_id and seen.item is None and seen.withheld_agency is None):
            continue
        data = {"event_id": event.pk, "person_id": str(event.person_id)}
        kind = event.kind if seen.item is not None or event.item_id is None else EventKind.NEW_INFORMATION
        if event.item_id is not None:
            data["item_id"] = str(event.item_id)
            data["item_visible"] = seen.item is not None
        made.append(
            WebhookDelivery(
                endpoint=endpoint,
                event=event,
                message_id=f"msg_{uuid.uuid4().hex}",
                payload={
                    "type": f"cohort.{kind}",
                    "timestamp": event.occurred_at.isoformat(),
                    "data": data,
                },
            )
        )
    if made:
        WebhookDelivery.objects.bulk_create(made)
        deliver_webhooks.enqueue()  # in the same transaction as the deliveries (the outbox)
    return made


def signature_headers(
    endpoint: WebhookEndpoint, message_id: str, at: dt.datetime, body: str
) -> dict[str, str]:
    """The Standard Webhooks headers; after a rotation, signed with both secrets until the old one expires."""
    signatures = [Webhook(endpoint.secret).sign(message_id, at, body)]
    if (
        endpoint.previous_secret
        and endpoint.rotated_at
        and timezone.now() - endpoint.rotated_at < dt.timedelta(days=1)
    ):
        signatures.append(Webhook(endpoint.previous_secret).sign(message_id, at, body))
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": " ".join(signatures),
        "content-type": "application/json",
        "user-agent": "iomshare-webhooks",
    }


def attempt(delivery: WebhookDelivery) -> WebhookDelivery:
    """POST one delivery once and record the outcome: delivered, retrying later, or dead."""
    body = json.dumps(delivery.payload, separators=(",", ":"))
    at = timezone.now()
    request = urllib.request.Request(  # noqa: S310 (an https or http URL the administrator set)
        delivery.endpoint.url,
        data=body.encode(),
        headers=signature_headers(delivery.endpoint, delivery.message_id, at, body),
        method="POST",
    )
    delivery.attempts += 1
    delivery.last_attempt_at = at
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            delivery.last_response_status, delivery.last_error = response.status, ""
    except urllib.error.HTTPError as error:
        delivery.last_response_status, delivery.last_error = error.code, f"HTTP {error.code}"
    except (OSError, ValueError) as error:
        delivery.last_response_status, delivery.last_error = None, str(error)[:500]
    if delivery.last_response_status and 200 <= delivery.last_response_status < 300:
        delivery.status, delivery.delivered_at = DeliveryStatus.DELIVERED, timezone.now()
    elif delivery.attempts >= max_attempts():
        delivery.status = DeliveryStatus.DEAD
    else:
        delivery.status = DeliveryStatus.RETRYING
        delivery.next_attempt_at = timezone.now() + backoff(delivery.attempts)
    delivery.save()
    return delivery


def due_deliveries(limit: int = 500) -> list[WebhookDelivery]:
    return list(
        WebhookDelivery.objects.filter(
            status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRYING], next_attempt_at__lte=timezone.now()
        )
        .select_related("endpoint")
        .order_by("next_attempt_at", "id")[:limit]
    )


@task()
def deliver_webhooks() -> int:
    """The job: attempt every due delivery; queue itself again for the next retry that falls due."""
    sent = 0
    while batch := due_deliveries():
        for delivery in batch:
            attempt(delivery)
            sent += 1
    upcoming = (
        WebhookDelivery.objects.filter(status=DeliveryStatus.RETRYING)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    if upcoming is not None:
        deliver_webhooks.using(run_after=upcoming).enqueue()
    return sent


def _check_admin(by: StaffMember) -> None:
    if not (by.is_superuser or by.role == Role.IG_LEAD):
        raise NotPermitted("Only an administrator or an information-governance lead manages webhooks.")


def replay(delivery: WebhookDelivery, *, by: StaffMember) -> WebhookDelivery:
    """Send a delivery again now (a dead letter, or one the receiver lost), with the same webhook-id."""
    _check_admin(by)
    if not by.is_superuser and delivery.endpoint.agency_id != by.agency_id:
        raise NotPermitted("You can replay only your own agency's deliveries.")
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.PENDING, next_attempt_at=timezone.now(), attempts=0
    )
    deliver_webhooks.enqueue()
    delivery.refresh_from_db()
    return delivery


def rotate_secret(endpoint: WebhookEndpoint, *, by: StaffMember) -> str:
    """A new signing secret; the old one still signs for a day so the receiver can switch over."""
    _check_admin(by)
    endpoint.previous_secret, endpoint.secret = endpoint.secret, new_secret()
    endpoint.rotated_at = timezone.now()
    endpoint.save(update_fields=["previous_secret", "secret", "rotated_at"])
    return endpoint.secret
