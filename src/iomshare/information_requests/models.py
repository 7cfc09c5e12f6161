"""Requests for information: a practitioner asks a holding agency for what no protocol shows them.

The holding agency's information-governance lead approves named items until an expiry date, or
refuses with a reason. Approved items reach the requester through the one door (records.selectors),
for the purpose asked for, until the approval expires or is withdrawn. What was asked for and not
covered by any protocol, and what was refused, is the evidence of the gap report.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

from iomshare.partnership.models import Agency
from iomshare.people.models import Person
from iomshare.protocols.models import LegalGateway, Purpose
from iomshare.records.models import Category


class RequestStatus(models.TextChoices):
    AWAITING_DECISION = "awaiting", "Awaiting decision"
    APPROVED = "approved", "Approved"
    REFUSED = "refused", "Refused"
    WITHDRAWN = "withdrawn", "Approval withdrawn"


class Urgency(models.TextChoices):
    ROUTINE = "routine", "Routine: within 10 working days"
    URGENT = "urgent", "Urgent: within 2 working days"
    IMMEDIATE = "immediate", "Immediate risk of harm: today"


class InformationRequest(models.Model):
    """One request to one holding agency for one category of information about one person."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="information_requests")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="information_requests"
    )
    # The requester's agency when they asked: staff move, the gap report must not.
    requesting_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    holding_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+")
    purpose = models.ForeignKey(Purpose, on_delete=models.PROTECT, related_name="+")
    legal_gateway = models.ForeignKey(LegalGateway, on_delete=models.PROTECT, related_name="+")
    justification = models.TextField(help_text="Why the requester needs it, in their words.")
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
    requested_at = models.DateTimeField(default=timezone.now)
    due_on = models.DateField(
        null=True,
        blank=True,
        help_text="The last working day for a decision, from the urgency (deadlines.py).",
    )
    escalated_at = models.DateTimeField(
        null=True, blank=True, help_text="When the holding agency's IG leads were told it is overdue."
    )

    # The sharing decision when the request was made (protocols.decisions.access_grid).
    purpose_was_covered = models.BooleanField(
        help_text="Whether any protocol in force covered this purpose for the requester's agency."
    )
    covered_by_protocol = models.BooleanField(
        help_text="Whether a protocol clause in force shares this category from this agency for this purpose."
    )
    refusal_reason = models.CharField(
        max_length=40, blank=True, help_text="Why the requester could not see it (a RefusalReason value)."
    )
    refusal_message = models.TextField(blank=True)

    status = models.CharField(
        max_length=10, choices=RequestStatus.choices, default=RequestStatus.AWAITING_DECISION
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True, help_text="Why it was refused, or a note on the approval.")
    expires_on = models.DateField(null=True, blank=True, help_text="The last day approved items are shown.")
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [
            # approved_item_ids: the requester's approved requests about one person for one purpose.
            models.Index(fields=["requested_by", "person", "purpose", "status"], name="inforeq_one_off"),
            models.Index(fields=["holding_agency", "status", "requested_at"], name="inforeq_queue"),
            models.Index(fields=["requested_at"], name="inforeq_requested_at"),
            models.Index(fields=["status", "due_on"], name="inforeq_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(requesting_agency=models.F("holding_agency")),
                name="inforeq_not_to_own_agency",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="approved") | models.Q(expires_on__isnull=False),
                name="inforeq_approval_expires",
            ),
        ]

    def __str__(self) -> str:
        return f"Request {self.pk}: {self.category} from {self.holding_agency} ({self.get_status_display()})"

    @property
    def number(self) -> str:
        return f"#{self.pk}"

    def is_in_force(self, day: dt.date | None = None) -> bool:
        """Whether approved items are disclosed to the requester on `day`."""
        day = day or timezone.localdate()
        return (
            self.status == RequestStatus.APPROVED and self.expires_on is not None and day <= self.expires_on
        )

    def is_overdue(self, day: dt.date | None = None) -> bool:
        """Awaiting a decision after the last day it was due."""
        day = day or timezone.localdate()
        return (
            self.status == RequestStatus.AWAITING_DECISION and self.due_on is not None and self.due_on < day
        )

    @property
    def urgency_name(self) -> str:
        """The urgency in one word, for tables: the label's part before the colon."""
        return self.get_urgency_display().split(":")[0]

    @property
    def shown_status(self) -> str:
        """The status as the requester reads it: an approval past its expiry reads 'Expired'."""
        if self.status == RequestStatus.APPROVED and not self.is_in_force():
            return "Expired"
        return self.get_status_display()


class ApprovedItem(models.Model):
    """An item the holding agency approved for disclosure under a request.

    The item is named by id only (no foreign key): its content is read only through records.selectors.
    """

    request = models.ForeignKey(InformationRequest, on_delete=models.CASCADE, related_name="approved_items")
    item_id = models.UUIDField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["request", "item_id"], name="inforeq_item_once")]

    def __str__(self) -> str:
        return f"{self.item_id} under request {self.request_id}"
