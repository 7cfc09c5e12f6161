"""Services agencies offer, referrals of a person to them, and records of informal exchanges.

A referral names the items the referrer chose to send by id only (no foreign key), with the holding
agency, category and protocol clause the check relied on: item content is read only through the one
door (records.selectors), for the referral's purpose, by whoever opens it. An informal exchange's
content is an information item of the recording agency, so the door governs who reads what was said.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from iomshare.partnership.models import Agency
from iomshare.people.models import Person
from iomshare.protocols.models import Purpose
from iomshare.records.models import Category


class ServiceKind(models.TextChoices):
    VOLUNTEERING = "volunteering", "Volunteering opportunity"
    ACCOMMODATION = "accommodation", "Accommodation"
    EMPLOYMENT = "employment", "Employment, education and training"
    SUBSTANCE_MISUSE = "substance_misuse", "Substance misuse"
    MENTORING = "mentoring", "Mentoring"
    OTHER = "other", "Other support"


class ServiceOffer(models.Model):
    """A service one agency offers the partnership's cohort, maintained by that agency's managers."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="service_offers")
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=20, choices=ServiceKind.choices)
    description = models.TextField(blank=True)
    purpose = models.ForeignKey(
        Purpose,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The purpose referrals to this service are made for: the door decides what may be sent.",
    )
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="services_received",
        help_text="Who receives referrals: every item sent must pass the door for them.",
    )
    is_open = models.BooleanField(default=True, help_text="Whether it takes referrals now.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["agency__name", "name"]
        constraints = [models.UniqueConstraint(fields=["agency", "name"], name="service_offer_name_once")]

    def __str__(self) -> str:
        return f"{self.name} ({self.agency.name})"


class ReferralStatus(models.TextChoices):
    SENT = "sent", "Sent, awaiting a decision"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    COMPLETED = "completed", "Completed"


class ServiceReferral(models.Model):
    """One person referred to one service, for the service's purpose, with the items chosen to send."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="service_referrals")
    service = models.ForeignKey(ServiceOffer, on_delete=models.PROTECT, related_name="referrals")
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Both agencies as they were when it was sent: staff move, the record must not.
    referring_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    receiving_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    purpose = models.ForeignKey(Purpose, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(help_text="Why the referrer thinks the service fits the person.")
    status = models.CharField(max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.SENT)
    sent_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True, help_text="Why it was declined, or a note on accepting.")
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    completion_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        indexes = [
            models.Index(fields=["referring_agency", "sent_at"], name="service_referral_sent"),
            models.Index(fields=["receiving_agency", "status", "sent_at"], name="service_referral_received"),
            models.Index(fields=["person", "sent_at"], name="service_referral_person"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(referring_agency=models.F("receiving_agency")),
                name="service_referral_to_another_agency",
            ),
        ]

    def __str__(self) -> str:
        return f"Referral {self.pk} to {self.service} ({self.get_status_display()})"

    @property
    def number(self) -> str:
        return f"S{self.pk}"

    @property
    def status_name(self) -> str:
        """The status in one or two words, for tables and tags."""
        return self.get_status_display().split(",")[0]


class SharedItem(models.Model):
    """An item sent with a referral, and the clause under which the receiver may see it.

    Named by id only: its content is read only through records.selectors.
    """

    referral = models.ForeignKey(ServiceReferral, on_delete=models.CASCADE, related_name="shared_items")
    item_id = models.UUIDField()
    holding_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+")
    clause = models.CharField(
        max_length=200, help_text="The protocol clause (or 'own') that lets the receiver see it."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["referral", "item_id"], name="service_referral_item_once")
        ]

    def __str__(self) -> str:
        return f"{self.item_id} with referral {self.referral_id} ({self.clause})"


class ExchangeChannel(models.TextChoices):
    CO_LOCATED = "co_located", "In a co-located office"
    PHONE = "phone", "By phone"
    MEETING = "meeting", "In a meeting"
    EMAIL = "email", "By e-mail or message"
    OTHER = "other", "Somewhere else"


class InformalExchange(models.Model):
    """A conversation about a person with another agency, so word of mouth becomes a record.

    What was shared or agreed is the item `item_id`, held by the recording agency: the door decides
    who reads it. This row holds only who, which agencies, where and when.
    """

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="informal_exchanges")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="informal_exchanges"
    )
    recording_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    other_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    other_person = models.CharField(
        max_length=120, help_text="Who at the other agency: a name and role, as the recorder knows them."
    )
    channel = models.CharField(max_length=12, choices=ExchangeChannel.choices)
    happened_on = models.DateField()
    item_id = models.UUIDField(help_text="The item holding what was shared or agreed.")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-happened_on", "-id"]
        indexes = [
            models.Index(fields=["recording_agency", "happened_on"], name="exchange_recording_agency"),
            models.Index(fields=["other_agency", "happened_on"], name="exchange_other_agency"),
            models.Index(fields=["person", "happened_on"], name="exchange_person"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(recording_agency=models.F("other_agency")),
                name="exchange_with_another_agency",
            ),
        ]

    def __str__(self) -> str:
        return f"Exchange {self.pk}: {self.recording_agency} with {self.other_agency} on {self.happened_on}"
