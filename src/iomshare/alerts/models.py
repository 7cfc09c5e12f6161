"""Cohort events (a transactional outbox), who is told of them, and how: in-app, e-mail, webhooks.

An event is written in the same transaction as the change it records, carrying ids only; a job fans
it out to its recipients, each alert passing through the one door (records.selectors) first.
"""

from __future__ import annotations

import base64
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from iomshare.partnership.models import Agency
from iomshare.people.models import Person, Tier


class EventKind(models.TextChoices):
    ARREST = "arrest", "Arrest"
    CHARGE = "charge", "Charge"
    COURT_OUTCOME = "court_outcome", "Court outcome"
    RELEASE = "release", "Release from custody"
    RECALL = "recall", "Recall to custody"
    BREACH = "breach", "Breach"
    MISSED_APPOINTMENT = "missed_appointment", "Missed appointment"
    CHANGE_OF_ADDRESS = "change_of_address", "Change of address"
    RISK_MARKER = "risk_marker", "New risk or warning marker"
    COHORT_CHANGE = "cohort_change", "Cohort membership or tier changed"
    KEY_WORKER_CHANGE = "key_worker_change", "Key worker changed"
    REQUEST_DECISION = "request_decision", "Request for information decided"
    CORRECTION = "correction", "Information corrected"
    WITHDRAWAL = "withdrawal", "Information withdrawn"
    ACTION_DUE = "action_due", "Action due"
    # What a recipient who may not see the item is told of it: the kind could betray its content.
    NEW_INFORMATION = "new_information", "New information held by another agency"


class EventSignal(models.Model):
    """Partnership configuration: an item of this category (with this coded answer, if given) is an event.

    A starter set is loaded by migration; the partnership edits it in the admin.
    """

    category_code = models.CharField(max_length=50)
    answer_field = models.CharField(
        max_length=100, blank=True, help_text="A coded answer of the item's form."
    )
    concept_code = models.CharField(
        max_length=100, blank=True, help_text="The vocabulary concept it must hold."
    )
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    is_urgent = models.BooleanField(default=False, help_text="Sent at once, even in quiet hours.")

    class Meta:
        ordering = ["category_code", "answer_field", "concept_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["category_code", "answer_field", "concept_code"], name="alerts_one_signal_per_code"
            )
        ]

    def __str__(self) -> str:
        coded = f" with {self.answer_field}={self.concept_code}" if self.concept_code else ""
        return f"{self.category_code}{coded} -> {self.get_kind_display()}"


class CohortEvent(models.Model):
    """Something that happened to a person, written with the change; its id is the feed's cursor."""

    kind = models.CharField(max_length=30, choices=EventKind.choices)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    item_id = models.UUIDField(null=True, blank=True, help_text="The information item, if the event is one.")
    source_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_constraint=False
    )
    is_urgent = models.BooleanField(default=False)
    occurred_at = models.DateTimeField(default=timezone.now)
    details = models.JSONField(default=dict, blank=True, help_text="Ids and codes only, never content.")
    fanned_out_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["fanned_out_at", "id"], name="alerts_event_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class SubscriptionKind(models.TextChoices):
    PERSON = "person", "Following a person"
    TIER = "tier", "Everyone in a tier"
    LEAD_AGENCY = "lead_agency", "Everyone my agency leads on (the IOM team)"


class Subscription(models.Model):
    """A staff member's wish to be told about a person, a tier, or everyone their agency leads on.

    Key workers need none: they are told about their own people automatically.
    """

    subscriber = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscriptions"
    )
    kind = models.CharField(max_length=20, choices=SubscriptionKind.choices)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    tier = models.CharField(max_length=10, choices=Tier.choices, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subscriber", "kind", "person", "tier"], name="alerts_one_subscription_each"
            )
        ]

    def __str__(self) -> str:
        return f"{self.subscriber}: {self.get_kind_display()}"


class EmailChoice(models.TextChoices):
    NONE = "none", "No e-mails"
    EACH = "each", "An e-mail for each alert"
    DAILY = "daily", "One e-mail a day (a digest)"


class AlertPreference(models.Model):
    """How a staff member likes to be told beyond the notifications page."""

    staff = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_preference"
    )
    email = models.CharField(max_length=10, choices=EmailChoice.choices, default=EmailChoice.NONE)
    last_digest_at = models.DateTimeField(null=True, blank=True)
    # Quiet hours, in UK time: e-mails that are not urgent wait until they end and go as one.
    quiet_from = models.TimeField(null=True, blank=True)
    quiet_until = models.TimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.staff}: {self.get_email_display()}"


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    message = models.CharField(max_length=500)
    link = models.CharField(max_length=300, blank=True, help_text="A path within iomshare.")
    event = models.ForeignKey(CohortEvent, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    kind = models.CharField(max_length=30, choices=EventKind.choices, blank=True)
    is_urgent = models.BooleanField(default=False)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return f"To {self.recipient}: {self.message[:60]}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


def new_webhook_secret() -> str:
    """A fresh Standard Webhooks signing secret (whsec_ and 32 random bytes, base64)."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


class WebhookEndpoint(models.Model):
    """An agency system that receives thin, signed events (Standard Webhooks) about its people."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="webhook_endpoints")
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The agency's system account: events are filtered by what its door would show.",
    )
    url = models.URLField(max_length=500)
    secret = models.CharField(
        max_length=100, default=new_webhook_secret, help_text="whsec_... (signs every delivery)."
    )
    previous_secret = models.CharField(
        max_length=100,
        blank=True,
        help_text="Kept for a day after a rotation: deliveries carry both signatures.",
    )
    rotated_at = models.DateTimeField(null=True, blank=True)
    kinds = models.JSONField(default=list, blank=True, help_text="Event kinds to send; empty for all.")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.agency}: {self.url}"

    @property
    def kind_labels(self) -> list[str]:
        """The event kinds sent, as a person reads them."""
        return [EventKind(kind).label if kind in EventKind.values else kind for kind in self.kinds]


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    DELIVERED = "delivered", "Delivered"
    RETRYING = "retrying", "Failed; will retry"
    DEAD = "dead", "Gave up (dead letter)"


class WebhookDelivery(models.Model):
    """One event to one endpoint: every attempt's outcome, for the delivery log and replays."""

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(CohortEvent, on_delete=models.CASCADE, related_name="+")
    message_id = models.CharField(max_length=64, help_text="webhook-id: the same on every retry.")
    payload = models.JSONField(default=dict, help_text="The thin event: type, ids, time; never content.")
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_response_status = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="alerts_delivery_due")]

    def __str__(self) -> str:
        return f"{self.event} to {self.endpoint.url}: {self.status}"
