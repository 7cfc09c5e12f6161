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
