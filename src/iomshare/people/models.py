"""The offender as the partnership knows them: one Person, each agency's identifiers, the cohort."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from iomshare.partnership.models import Agency
from iomshare.people import identifiers


class Person(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["family_name", "given_name"]
        indexes = [models.Index(fields=["family_name", "given_name"])]
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


class IdentifierScheme(models.TextChoices):
    PNC = "pnc", "PNC ID"
    CRO = "cro", "CRO number"
    NOMIS = "nomis", "NOMIS number"
    NHS = "nhs", "NHS number"
    LOCAL = "local", "Local identifier"


NORMALISERS = {
    IdentifierScheme.PNC: identifiers.normalise_pnc,
    IdentifierScheme.CRO: identifiers.normalise_cro,
    IdentifierScheme.NOMIS: identifiers.normalise_nomis,
    IdentifierScheme.NHS: identifiers.normalise_nhs_number,
    IdentifierScheme.LOCAL: identifiers.normalise_local,
}


class AgencyIdentifier(models.Model):
    """An identifier under which one agency knows a person."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="identifiers")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="identifiers")
    scheme = models.CharField(max_length=10, choices=IdentifierScheme.choices)
    value = models.CharField(max_length=60)

    class Meta:
        ordering = ["scheme", "value"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "scheme", "value"], name="identifier_unique_per_agency")
        ]
        indexes = [models.Index(fields=["scheme", "value"])]

    def __str__(self) -> str:
        return f"{self.get_scheme_display()} {self.value}"

    def clean(self) -> None:
        self.value = NORMALISERS[IdentifierScheme(self.scheme)](self.value)


class Tier(models.TextChoices):
    """IOM cohort tiers: Fixed (statutory priority), Flex (local priority), Free (voluntary)."""

    FIXED = "fixed", "Fixed"
    FLEX = "flex", "Flex"
    FREE = "free", "Free"


class ExitReason(models.TextChoices):
    """Why a person left the IOM cohort (retention counts cohort-exit rules from the date they left)."""

    SENTENCE_ENDED = "sentence_ended", "Sentence or licence ended"
    MOVED_AREA = "moved_area", "Moved out of the area"
    DECEASED = "deceased", "Deceased"
    NO_LONGER_MEETS_CRITERIA = "no_longer_meets_criteria", "No longer meets the cohort criteria"


class CohortMembershipQuerySet(models.QuerySet["CohortMembership"]):
    def current(self, day=None) -> CohortMembershipQuerySet:
        day = day or timezone.localdate()
        return self.filter(started_on__lte=day).filter(
            models.Q(ended_on__isnull=True) | models.Q(ended_on__gte=day)
        )


class CohortMembership(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    tier = models.CharField(max_length=10, choices=Tier.choices)
    lead_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="led_memberships")
    key_workers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="key_work", blank=True)
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    review_on = models.DateField(
        null=True, blank=True, help_text="When the selection panel next reviews this membership."
    )
    exit_reason = models.CharField(max_length=30, choices=ExitReason.choices, blank=True)

    objects = CohortMembershipQuerySet.as_manager()

    class Meta:
        ordering = ["-started_on"]
        indexes = [models.Index(fields=["tier", "lead_agency"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True) | models.Q(ended_on__gte=models.F("started_on")),
                name="membership_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.get_tier_display()} from {self.started_on}"


class AccessListKind(models.TextChoices):
    """nDelius's two per-person lists: who must not see a person, and who alone may."""

    EXCLUSION = "exclusion", "Exclusion list: must not see this person"
    RESTRICTION = "restriction", "Restriction list: the only staff who may see this person"


class AccessListApproval(models.TextChoices):
    """An entry placed by an agency other than the person's lead agency waits for its approval."""

    NOT_NEEDED = "not_needed", "Placed by the lead agency"
    PENDING = "pending", "Waiting for the lead agency's approval"
    APPROVED = "approved", "Approved by the lead agency"
    REFUSED = "refused", "Refused by the lead agency"


class AccessListEntry(models.Model):
    """One named member of staff on one of a person's access lists.

    Entries are never deleted: removal is recorded, so the history of who could see a person stays.
    Managed by information-governance leads (people.access_lists); an entry is in force only when
    not removed and placed or approved by the person's lead agency.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="access_list_entries")
    kind = models.CharField(max_length=12, choices=AccessListKind.choices)
    staff_member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_list_entries"
    )
    reason = models.TextField(help_text="Why this member of staff is on the list.")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    removed_at = models.DateTimeField(null=True, blank=True)
    removal_reason = models.TextField(blank=True)
    approval = models.CharField(
        max_length=12, choices=AccessListApproval.choices, default=AccessListApproval.NOT_NEEDED
    )
    approval_agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The lead agency whose approval the entry needs (or needed).",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    review_on = models.DateField(null=True, blank=True, help_text="When the entry must be looked at again.")

    class Meta:
        ordering = ["person", "kind", "added_at"]
        verbose_name_plural = "access list entries"
        indexes = [models.Index(fields=["staff_member", "kind"], name="access_list_by_staff")]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind", "staff_member"],
                condition=models.Q(removed_at__isnull=True),
                name="one_live_entry_per_list_and_staff",
            )
        ]

    def __str__(self) -> str:
        return f"{self.staff_member} on the {self.kind} list of {self.person}"

    @property
    def is_live(self) -> bool:
        """In force: not taken off, and placed or approved by the lead agency."""
        return self.removed_at is None and self.approval in IN_FORCE

    @property
    def is_pending(self) -> bool:
        return self.removed_at is None and self.approval == AccessListApproval.PENDING


IN_FORCE = (AccessListApproval.NOT_NEEDED, AccessListApproval.APPROVED)


class ReferralSource(models.TextChoices):
    """How the person came to the partnership's attention for the IOM cohort."""

    INTELLIGENCE = "intelligence", "Police intelligence or offending pattern"
    RELEASE = "release", "Release from custody"
    COURT_ORDER = "court_order", "Community sentence or court order"
    PARTNER_CONCERN = "partner_concern", "Concern raised by a partner agency"
    MEETING = "meeting", "Multi-agency meeting"
    OTHER = "other", "Other"


class ReferralStatus(models.TextChoices):
    AWAITING_PANEL = "awaiting", "Awaiting the selection panel"
    ACCEPTED = "accepted", "Accepted onto the cohort"
    DECLINED = "declined", "Declined"


class CohortReferral(models.Model):
    """A partner agency asks the selection panel to take a person onto the IOM cohort.

    The panel (a partnership manager) accepts, with a tier and lead agency, which starts a
    membership, or declines with a reason. Referrals are never deleted: they are the history.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="cohort_referrals")
    referring_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    referred_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=20, choices=ReferralSource.choices)
    reason = models.TextField(help_text="Why the referrer thinks the person belongs in the cohort.")
    status = models.CharField(
        max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.AWAITING_PANEL
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    membership = models.OneToOneField(
        CohortMembership, on_delete=models.PROTECT, null=True, blank=True, related_name="referral"
    )

    class Meta:
        ordering = ["-referred_at", "-id"]
        indexes = [models.Index(fields=["status", "referred_at"], name="cohort_referral_queue")]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=models.Q(status="awaiting"), name="one_open_referral_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"Referral {self.pk} of {self.person} ({self.get_status_display()})"

    @property
    def number(self) -> str:
        return f"#{self.pk}"


class CohortChangeKind(models.TextChoices):
    REFERRED = "referred", "Referred for the cohort"
    ACCEPTED = "accepted", "Accepted onto the cohort"
    DECLINED = "declined", "Referral declined"
    TIER_CHANGED = "tier_changed", "Tier changed"
    KEY_WORKER_ASSIGNED = "key_worker_assigned", "Key worker assigned"
    KEY_WORKER_REMOVED = "key_worker_removed", "Key worker removed"
    REVIEW_DATE_SET = "review_date_set", "Review date set"
    LEFT = "left", "Left the cohort"


class CohortChange(models.Model):
    """One change to a person's cohort status, who made it and why: the cohort's history."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="cohort_changes")
    membership = models.ForeignKey(
        CohortMembership, on_delete=models.CASCADE, null=True, blank=True, related_name="changes"
    )
    referral = models.ForeignKey(
        CohortReferral, on_delete=models.CASCADE, null=True, blank=True, related_name="changes"
    )
    kind = models.CharField(max_length=30, choices=CohortChangeKind.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    summary = models.CharField(max_length=300, help_text="What changed, in words.")
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["person", "at"], name="cohort_change_person_at")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.summary}"
