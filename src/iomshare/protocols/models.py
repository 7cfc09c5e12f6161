"""Information sharing protocols: who shares what, with whom, for which purposes, under which law.

Every version of a protocol is its own row, grouped by `reference`: a new version is drafted, approved
by every party's information-governance lead, and then replaces the active one, which is kept as
superseded. Only active, in-date versions take part in the sharing decision (see decisions.py).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

from iomshare.partnership.models import Agency, AssuranceLevel, Course, Role
from iomshare.records.models import Category, Sensitivity


class Purpose(models.Model):
    """A coded reason for sharing that a practitioner declares before seeing shared information."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class GatewayKind(models.TextChoices):
    POWER = "power", "Statutory power to share"
    DUTY = "duty", "Duty"
    LAWFUL_BASIS = "lawful_basis", "Lawful basis for processing"
    SPECIAL_CATEGORY = "special_category", "Condition for special category or criminal offence data"
    PRINCIPLE = "principle", "Principle"


class LegalGateway(models.Model):
    """An entry of the reference list of UK law in legal_gateways.py (seeded by migration)."""

    code = models.SlugField(max_length=40, unique=True)
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=GatewayKind.choices)
    summary = models.TextField()
    legislation_url = models.URLField(blank=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class ProtocolStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"
    EXPIRED = "expired", "Expired"
    SUPERSEDED = "superseded", "Superseded by a later version"


# The agreement's elements, in the order the ICO data sharing code of practice lists them. Each is a
# text field of Protocol; the YAML form holds them under `agreement:`. (field, heading, hint)
AGREEMENT_ELEMENTS: list[tuple[str, str, str]] = [
    ("lawful_basis", "Lawful basis", "How each gateway applies, for each party and purpose."),
    (
        "special_category_data",
        "Special category and criminal offence data",
        "Which conditions of UK GDPR Articles 9 and 10 (or DPA 2018 Part 3) each party relies on.",
    ),
    ("necessity", "Necessity and proportionality", "Why sharing is needed, and why no less is enough."),
    ("transparency", "Telling people", "How people are told their information is shared (privacy notices)."),
    (
        "individual_rights",
        "People's rights",
        "Who handles subject access, rectification, objection and complaints, and how parties help.",
    ),
    ("data_quality", "Accuracy and data standards", "How the parties keep shared information accurate."),
    ("security", "Access and security", "Who may see shared information and how it is kept secure."),
    (
        "retention_and_deletion",
        "Retention and deletion",
        "How long shared copies are kept and how they are deleted.",
    ),
    ("breach_procedure", "Security breaches", "Who is told of a breach, how fast, and by whom."),
    ("international_transfers", "International transfers", "Whether any data leaves the UK."),
    ("dpia_reference", "Data protection impact assessment", "The DPIA this protocol rests on."),
    ("review_arrangements", "Review", "Who reviews the protocol, and when."),
    ("termination", "Ending the agreement", "How a party leaves, and what happens to shared copies."),
    ("sanctions", "Failure to follow the protocol", "What happens when someone breaks the rules."),
]
AGREEMENT_FIELDS = [name for name, _, _ in AGREEMENT_ELEMENTS]


class Protocol(models.Model):
    """One version of an information sharing protocol (a data sharing agreement)."""

    reference = models.SlugField(max_length=60, help_text="Stable reference shared by every version.")
    version = models.PositiveIntegerField(default=1)
    title = models.CharField(max_length=200)
    summary = models.TextField(help_text="In plain words: why the parties share, and what.")
    owner_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="owned_protocols")
    status = models.CharField(max_length=12, choices=ProtocolStatus.choices, default=ProtocolStatus.DRAFT)
    status_reason = models.TextField(blank=True, help_text="Why it was suspended or expired.")
    review_on = models.DateField(help_text="When the parties next review the protocol.")
    ends_on = models.DateField(null=True, blank=True, help_text="The last day it applies, unless renewed.")
    retention_days = models.PositiveIntegerField(
        help_text="How long a recipient may keep a shared copy, in days."
    )
    may_disclose_existence = models.BooleanField(
        default=True,
        help_text="Default for clauses: whether recipients may learn that withheld information exists.",
    )
    parties = models.ManyToManyField(Agency, related_name="protocols")
    purposes = models.ManyToManyField(Purpose, related_name="protocols")
    legal_gateways = models.ManyToManyField(LegalGateway, related_name="protocols")

    lawful_basis = models.TextField()
    special_category_data = models.TextField(blank=True)
    necessity = models.TextField(blank=True)
    transparency = models.TextField()
    individual_rights = models.TextField()
    data_quality = models.TextField(blank=True)
    security = models.TextField()
    retention_and_deletion = models.TextField()
    breach_procedure = models.TextField()
    international_transfers = models.TextField(blank=True)
    dpia_reference = models.CharField(max_length=200, blank=True)
    review_arrangements = models.TextField(blank=True)
    termination = models.TextField()
    sanctions = models.TextField(blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="drafted_protocols",
        help_text="Empty when loaded from the command line.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    activated_at = models.DateTimeField(null=True, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["reference", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["reference", "version"], name="protocol_version_unique"),
            models.UniqueConstraint(
                fields=["reference"],
                condition=models.Q(status="active"),
                name="one_active_version_per_protocol",
            ),
            models.UniqueConstraint(
                fields=["reference"],
                condition=models.Q(status="draft"),
                name="one_draft_version_per_protocol",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (version {self.version})"

    @property
    def label(self) -> str:
        return f"{self.reference} v{self.version}"

    def is_in_force(self, day: dt.date | None = None) -> bool:
        """Active and not past its end date: only then does it let anything be shared."""
        day = day or timezone.localdate()
        return self.status == ProtocolStatus.ACTIVE and (self.ends_on is None or day <= self.ends_on)


class Clause(models.Model):
    """What one party shares under a protocol, with whom, and on which conditions."""

    protocol = models.ForeignKey(Protocol, on_delete=models.CASCADE, related_name="clauses")
    number = models.PositiveSmallIntegerField()
    sharing_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    categories = models.ManyToManyField(Category, related_name="+")
    max_sensitivity = models.IntegerField(choices=Sensitivity.choices, default=Sensitivity.OFFICIAL)
    recipient_agencies = models.ManyToManyField(
        Agency, related_name="+", blank=True, help_text="Empty: every other party receives."
    )
    recipient_roles = models.JSONField(default=list, help_text="Role values (never volunteers).")
    volunteers_may_receive = models.BooleanField(default=False)
    required_courses = models.JSONField(default=list, help_text="Course values recipients must hold in date.")
    minimum_assurance = models.IntegerField(
        choices=AssuranceLevel.choices, default=AssuranceLevel.SELF_ASSESSED
    )
    consent_needed = models.BooleanField(default=False)
    may_disclose_existence = models.BooleanField(default=True)
    redacted_fields = models.JSONField(
        default=list, help_text='"category.field" payload fields removed before recipients see them.'
    )
    explanation = models.TextField(blank=True, help_text="Why this is shared, in plain words.")

    class Meta:
        ordering = ["protocol", "number"]
        constraints = [
            models.UniqueConstraint(fields=["protocol", "number"], name="clause_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.protocol.label} clause {self.number}"

    @property
    def policy_id(self) -> str:
        """The Cedar policy id: names protocol, version and clause, and is recorded on the ledger."""
        return clause_policy_id(self.protocol.reference, self.protocol.version, self.number)

    def recipient_role_labels(self) -> list[str]:
        return [Role(value).label for value in self.recipient_roles]

    def course_labels(self) -> list[str]:
        return [Course(value).label for value in self.required_courses]


def clause_policy_id(reference: str, version: int, number: int) -> str:
    return f"protocol:{reference}:v{version}:clause:{number}"


class Approval(models.Model):
    """One party's approval of a protocol version, given by its information-governance lead."""

    protocol = models.ForeignKey(Protocol, on_delete=models.CASCADE, related_name="approvals")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["protocol", "approved_at"]
        constraints = [
            models.UniqueConstraint(fields=["protocol", "agency"], name="one_approval_per_party"),
        ]

    def __str__(self) -> str:
        return f"{self.agency} approved {self.protocol.label}"


class ChangeRequest(models.Model):
    """A party's information-governance lead asking for changes to a draft instead of approving it.

    Open until the draft is next changed (or the party approves): while open, the draft no longer
    waits on that party's hub; the comments stay on the draft's page for the drafter to read.
    """

    protocol = models.ForeignKey(Protocol, on_delete=models.CASCADE, related_name="change_requests")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    asked_at = models.DateTimeField(default=timezone.now)
    comments = models.TextField()
    answered_at = models.DateTimeField(
        null=True, blank=True, help_text="When the draft was next changed, or the party approved it."
    )

    class Meta:
        ordering = ["protocol", "asked_at"]

    def __str__(self) -> str:
        return f"{self.agency} asked for changes to {self.protocol.label}"

    @property
    def is_open(self) -> bool:
        return self.answered_at is None


class ConsentMethod(models.TextChoices):
    WRITTEN = "written", "Signed consent form"
    VERBAL = "verbal", "Verbal, recorded by the practitioner"
    ELECTRONIC = "electronic", "Electronic (agency system or portal)"


class ConsentRecord(models.Model):
    """A person's consent to one holding agency sharing about them, for some purposes or all.

    Clauses that need consent share only while a record is in force (given, unexpired and not
    withdrawn); withdrawal takes effect at once and is kept, never deleted (protocols.consent).
    """

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="consents")
    sharing_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", help_text="The holding agency whose sharing."
    )
    all_purposes = models.BooleanField(default=False)
    purposes = models.ManyToManyField(Purpose, related_name="+", blank=True)
    given_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True)
    method = models.CharField(max_length=12, choices=ConsentMethod.choices)
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawal_notes = models.TextField(blank=True)

    class Meta:
        ordering = ["person", "-given_on"]
        indexes = [models.Index(fields=["person", "sharing_agency"], name="consent_by_person_agency")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_on__isnull=True) | models.Q(expires_on__gte=models.F("given_on")),
                name="consent_expires_after_given",
            )
        ]

    def __str__(self) -> str:
        return f"Consent of {self.person} to {self.sharing_agency} sharing"

    def is_in_force(self, day: dt.date) -> bool:
        """Given by `day`, not expired, and not withdrawn on or before it (withdrawal acts at once)."""
        withdrawn = self.withdrawn_at is not None and timezone.localdate(self.withdrawn_at) <= day
        return self.given_on <= day and (self.expires_on is None or day <= self.expires_on) and not withdrawn


class ConsentOverride(models.Model):
    """Sharing without recorded consent, for one viewer, person, holding agency and purpose.

    For when consent cannot be sought (a safeguarding emergency, say): it needs the
    `protocols.override_consent` permission and a reason, lasts at most 72 hours, and is on the ledger.
    """

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="consent_overrides")
    sharing_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    purpose = models.ForeignKey(Purpose, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    granted_to = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-granted_at"]
        permissions = [("override_consent", "May share without recorded consent, with a reason")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("granted_at")),
                name="consent_override_expires_after_granted",
            )
        ]

    def __str__(self) -> str:
        return f"Consent override for {self.person} ({self.sharing_agency}, {self.purpose})"


class Acknowledgement(models.Model):
    """A member of staff read this protocol version in plain words and said so (who, which, when)."""

    protocol = models.ForeignKey(Protocol, on_delete=models.CASCADE, related_name="acknowledgements")
    staff_member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    acknowledged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-acknowledged_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["protocol", "staff_member"], name="one_acknowledgement_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.staff_member} read {self.protocol}"
