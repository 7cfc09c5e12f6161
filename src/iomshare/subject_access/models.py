"""Subject access requests (UK GDPR Article 15; DPA 2018 Part 3 section 45) as a workflow.

One agency receives the request and coordinates it; every agency that holds information about the
person is a controller and decides, item by item, what of its own information is released, redacted
or exempt. The coordinator assembles only what each controller released.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from iomshare.partnership.models import Agency
from iomshare.people.models import Person


class RequestStatus(models.TextChoices):
    AWAITING_IDENTITY = "awaiting_identity", "Waiting for an identity check"
    WITH_CONTROLLERS = "with_controllers", "With the holding agencies"
    ASSEMBLED = "assembled", "Pack assembled, waiting for release"
    RELEASED = "released", "Released"


class MadeBy(models.TextChoices):
    PERSON = "person", "The person themselves"
    REPRESENTATIVE = "representative", "Someone acting for them (with their written authority)"


class Exemption(models.TextChoices):
    """The exemptions a criminal justice partnership relies on most; `OTHER` names any other."""

    CRIME = "crime", "DPA 2018 Schedule 2 paragraph 2 (crime and taxation)"
    LAW_ENFORCEMENT = (
        "law_enforcement",
        "DPA 2018 section 45(4) (law enforcement: avoid prejudicing the prevention, detection, "
        "investigation or prosecution of offences)",
    )
    THIRD_PARTY = "third_party", "DPA 2018 Schedule 2 paragraph 16 (protection of the rights of others)"
    LEGAL_PROCEEDINGS = (
        "legal_proceedings",
        "DPA 2018 Schedule 2 paragraph 5 (disclosure required by law or for legal proceedings)",
    )
    LEGAL_PRIVILEGE = "legal_privilege", "DPA 2018 Schedule 2 paragraph 19 (legal professional privilege)"
    HEALTH_SERIOUS_HARM = "health_serious_harm", "DPA 2018 Schedule 3 paragraph 5 (health data: serious harm)"
    NATIONAL_SECURITY = "national_security", "DPA 2018 section 26 (national security)"
    OTHER = "other", "Another exemption (name it)"


class Outcome(models.TextChoices):
    RELEASE = "release", "Release in full"
    REDACT = "redact", "Release with parts redacted"
    EXEMPT = "exempt", "Withhold under an exemption"


class SubjectAccessRequest(models.Model):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    coordinating_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    made_by = models.CharField(max_length=20, choices=MadeBy.choices)
    received_on = models.DateField()
    identity_checked_on = models.DateField(null=True, blank=True)
    identity_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    identity_check_method = models.TextField(blank=True)
    due_on = models.DateField(help_text="One calendar month from receipt (or from proof of identity).")
    extension_months = models.PositiveSmallIntegerField(default=0)
    extension_reason = models.TextField(blank=True)
    status = models.CharField(
        max_length=20, choices=RequestStatus.choices, default=RequestStatus.AWAITING_IDENTITY
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    assembled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assembled_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    released_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(extension_months__lte=2), name="sar_extension_at_most_two_months"
            )
        ]

    def __str__(self) -> str:
        return f"Subject access request {self.reference}"

    @property
    def reference(self) -> str:
        return f"SAR-{self.pk}"

    @property
    def is_identity_checked(self) -> bool:
        return self.identity_checked_on is not None


class ControllerResponse(models.Model):
    """One holding agency's part of a request: open until its IG lead confirms every decision."""

    request = models.ForeignKey(SubjectAccessRequest, on_delete=models.CASCADE, related_name="responses")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["agency__name"]
        constraints = [
            models.UniqueConstraint(fields=["request", "agency"], name="one_response_per_agency_and_sar")
        ]

    def __str__(self) -> str:
        return f"Agency {self.agency_id}'s response to request {self.request_id}"

    @property
    def is_complete(self) -> bool:
        return self.completed_at is not None


class ItemDecision(models.Model):
    """A controller's decision on one of its own items. The item is named by id only: its content is
    read through records.selectors, never through this row."""

    response = models.ForeignKey(ControllerResponse, on_delete=models.CASCADE, related_name="decisions")
    item_id = models.UUIDField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    exemption = models.CharField(max_length=30, choices=Exemption.choices, blank=True)
    exemption_named = models.CharField(max_length=300, blank=True, help_text="The exemption, in words.")
    redacted_fields = models.JSONField(default=list, blank=True)
    note = models.TextField(blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "item_id"], name="one_decision_per_item_and_response")
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()}: item {self.item_id}"

    @property
    def is_released(self) -> bool:
        return self.outcome in (Outcome.RELEASE, Outcome.REDACT)
