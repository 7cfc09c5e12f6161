"""Each agency's records of a person as received, and how they were resolved into one Person.

A source record is never edited by linkage: linkage only decides which Person it belongs to, and
every decision (automatic link, merge, unmerge, a reviewer's ruling) leaves a row here so it can be
explained and, for merges, undone exactly.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from iomshare.partnership.models import Agency
from iomshare.people.models import Person


class Sex(models.TextChoices):
    MALE = "M", "Male"
    FEMALE = "F", "Female"
    OTHER = "X", "Other or not stated"


class SourceRecord(models.Model):
    """One agency's record of a person, as that agency sent it, with where it came from."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="source_records")
    record_key = models.CharField(max_length=100, help_text="The agency's own key for this record.")
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    aliases = models.JSONField(
        default=list, blank=True, help_text="Other names the agency holds, as written."
    )
    date_of_birth = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1, choices=Sex.choices, blank=True)
    postcode = models.CharField(max_length=12, blank=True, help_text="UK or another country's postcode.")
    address = models.CharField(max_length=300, blank=True)
    pnc = models.CharField("PNC ID", max_length=13, blank=True)
    cro = models.CharField("CRO number", max_length=10, blank=True)
    nomis = models.CharField("NOMIS number", max_length=7, blank=True)
    nhs_number = models.CharField("NHS number", max_length=10, blank=True)
    local_id = models.CharField("local identifier", max_length=60, blank=True)
    other_identifiers = models.JSONField(
        default=dict, blank=True, help_text="Identifiers in schemes agencies declare: scheme code -> value."
    )
    warnings = models.JSONField(
        default=list,
        blank=True,
        help_text="Fields kept out of the record because they failed a check: field, value sent, reason.",
    )
    waiting_reason = models.CharField(
        max_length=200,
        blank=True,
        help_text="Why the record cannot be matched yet (blank once it can): it waits for someone to complete it.",
    )
    # Cleaned name keys, the same as linkage computes, to find candidates for a new record quickly.
    family_key = models.CharField(max_length=100, blank=True)
    given_key = models.CharField(
        max_length=100, blank=True, help_text="Canonical first name (Bob -> ROBERT)."
    )
    provenance = models.CharField(max_length=200, help_text="How the record reached iomshare.")
    received_at = models.DateTimeField(default=timezone.now)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="source_records"
    )

    class Meta:
        ordering = ["agency", "record_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "record_key"], name="source_record_key_unique_per_agency"
            )
        ]
        indexes = [
            models.Index(fields=["date_of_birth"]),
            models.Index(fields=["family_key", "given_key"]),
            models.Index(fields=["pnc"]),
            models.Index(fields=["nhs_number"]),
            models.Index(fields=["nomis"]),
            models.Index(fields=["cro"]),
        ]

    def __str__(self) -> str:
        return f"{self.agency.code}:{self.record_key}"

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()

    @property
    def identifiers(self) -> dict[str, str]:
        values = {"pnc": self.pnc, "cro": self.cro, "nomis": self.nomis, "nhs": self.nhs_number}
        if self.local_id:
            values["local"] = self.local_id
        return {scheme: value for scheme, value in values.items() if value}

    def linkage_row(self) -> dict:
        """The record as linkage compares it (names and values as received; linkage cleans them)."""
        return {
            "unique_id": self.pk,
            "given_name": self.given_name,
            "family_name": self.family_name,
            "date_of_birth": self.date_of_birth,
            "sex": self.sex,
            "postcode": self.postcode,
            "pnc": self.pnc,
            "cro": self.cro,
            "nomis": self.nomis,
            "nhs": self.nhs_number,
            "address": self.address,
            "other_ids": [f"{scheme}:{value}" for scheme, value in sorted(self.other_identifiers.items())],
        }


class LinkageModel(models.Model):
    """A trained Splink model (its JSON), when it was trained and on how many records."""

    trained_at = models.DateTimeField(default=timezone.now)
    trained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    splink_version = models.CharField(max_length=20)
    model = models.JSONField(help_text="The Splink settings and trained parameters, as Splink saves them.")
    records_trained_on = models.PositiveIntegerField()
    training_seconds = models.FloatField()
    training_steps = models.JSONField(default=list)
    lower_threshold = models.FloatField()
    upper_threshold = models.FloatField()
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["-trained_at"]
        get_latest_by = "trained_at"

    def __str__(self) -> str:
        return f"Linkage model trained {self.trained_at:%d %b %Y %H:%M} on {self.records_trained_on} records"


class RunStatus(models.TextChoices):
    RUNNING = "running", "Linking"
    FINISHED = "finished", "Finished"
    FAILED = "failed", "Failed"


class LinkageRun(models.Model):
    """One pass of linking every source record; what it linked, queued and flagged.

    A run started from the pages is created `running` and carried on in the background; at most
    one run is running at a time (a database constraint, so two presses at once cannot both start).
    """

    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.FINISHED)
    step = models.CharField(max_length=100, blank=True, help_text="What a running run is doing now.")
    step_done = models.PositiveIntegerField(default=0)
    step_total = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True, help_text="Why a failed run failed.")
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Empty while a run that trains its own model (the first link, or `retrain`) has not trained it yet.
    model = models.ForeignKey(
        LinkageModel, on_delete=models.PROTECT, related_name="runs", null=True, blank=True
    )
    retrain = models.BooleanField(default=False, help_text="Train a new model before linking.")
    engine = models.CharField(max_length=10, default="duckdb")
    records = models.PositiveIntegerField(default=0)
    pairs_scored = models.PositiveIntegerField(default=0)
    people_created = models.PositiveIntegerField(default=0)
    records_linked = models.PositiveIntegerField(default=0)
    merges = models.PositiveIntegerField(default=0)
    review_cases = models.PositiveIntegerField(default=0)
    conflicts = models.PositiveIntegerField(default=0)
    seconds = models.JSONField(default=dict)
    job_id = models.CharField(max_length=64, blank=True, help_text="The queued job carrying the run out.")

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["status"],
                condition=models.Q(status="running"),
                name="identity_one_linkage_run_at_a_time",
            )
        ]

    def __str__(self) -> str:
        return f"Linkage run {self.started_at:%d %b %Y %H:%M}"

    @property
    def is_running(self) -> bool:
        return self.status == RunStatus.RUNNING


class Outcome(models.TextChoices):
    SAME = "same", "The same person"
    DIFFERENT = "different", "Different people"


class Confidence(models.TextChoices):
    CERTAIN = "certain", "Certain"
    LIKELY = "likely", "Likely"
    UNSURE = "unsure", "Unsure: best judgement"


class MatchDecision(models.Model):
    """A reviewer's ruling that two records are, or are not, the same person. Linking obeys it."""

    record_a = models.ForeignKey(SourceRecord, on_delete=models.CASCADE, related_name="+")
    record_b = models.ForeignKey(SourceRecord, on_delete=models.CASCADE, related_name="+")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    confidence = models.CharField(max_length=10, choices=Confidence.choices)
    rationale = models.TextField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-decided_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(record_a__lt=models.F("record_b")), name="decision_pair_ordered"
            ),
            models.UniqueConstraint(
                fields=["record_a", "record_b"],
                condition=models.Q(superseded_at__isnull=True),
                name="one_current_decision_per_pair",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.record_a} / {self.record_b}: {self.get_outcome_display()}"


class ReviewStatus(models.TextChoices):
    OPEN = "open", "Waiting for review"
    LINKED = "linked", "Linked by a reviewer"
    KEPT_APART = "kept_apart", "Kept apart by a reviewer"
    SETTLED = "settled", "Settled another way"


class ReviewCase(models.Model):
    """A pair the model could not decide: between the thresholds, waiting for a person."""

    record_a = models.ForeignKey(SourceRecord, on_delete=models.CASCADE, related_name="+")
    record_b = models.ForeignKey(SourceRecord, on_delete=models.CASCADE, related_name="+")
    match_probability = models.FloatField()
    match_weight = models.FloatField()
    weights = models.JSONField(
        default=dict, help_text="Each comparison's match weight (Splink's mw_ columns)."
    )
    model = models.ForeignKey(LinkageModel, on_delete=models.PROTECT, related_name="+")
    run = models.ForeignKey(LinkageRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=12, choices=ReviewStatus.choices, default=ReviewStatus.OPEN)
    decision = models.ForeignKey(
        MatchDecision, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-match_probability", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["record_a", "record_b"],
                condition=models.Q(status="open"),
                name="one_open_review_per_pair",
            )
        ]
        indexes = [models.Index(fields=["status", "match_probability"])]

    def __str__(self) -> str:
        return f"Review {self.record_a} / {self.record_b} ({self.match_probability:.1%})"


class ConflictCase(models.Model):
    """Records the model would join whose details conflict (two NHS numbers, twins, a pair kept apart).

    They are not merged: the groups that do not conflict are linked and a person decides the rest.
    """

    records = models.ManyToManyField(SourceRecord, related_name="conflict_cases")
    reasons = models.JSONField(default=list)
    groups = models.JSONField(default=list, help_text="Record ids linked together despite the conflict.")
    run = models.ForeignKey(LinkageRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolution_note = models.TextField(blank=True)
    signature = models.CharField(
        max_length=64, help_text="Hash of the record ids, so a re-run does not repeat it."
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["signature"])]

    def __str__(self) -> str:
        return f"Needs attention: {', '.join(self.reasons)}"


class MergeReason(models.TextChoices):
    AUTOMATIC = "automatic", "Linked automatically above the upper threshold"
    REVIEW = "review", "Linked by a reviewer"


class Merge(models.Model):
    """Person `absorbed` merged into `survivor`, with exactly what moved, so an unmerge can put it back."""

    survivor = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_in")
    absorbed = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_out")
    moved = models.JSONField(help_text="Ids of the source records, items, identifiers and memberships moved.")
    survivor_before = models.JSONField(default=dict, help_text="The survivor's details before the merge.")
    reason = models.CharField(max_length=10, choices=MergeReason.choices)
    match_probability = models.FloatField(null=True, blank=True)
    rationale = models.TextField(blank=True)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    merged_at = models.DateTimeField(default=timezone.now)
    run = models.ForeignKey(LinkageRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    undo_rationale = models.TextField(blank=True)

    class Meta:
        ordering = ["-merged_at", "-id"]

    def __str__(self) -> str:
        return f"{self.absorbed} merged into {self.survivor}"

    @property
    def is_undone(self) -> bool:
        return self.undone_at is not None


class EventKind(models.TextChoices):
    RECEIVED = "received", "Record received"
    LINKED = "linked", "Record linked to a person"
    MERGED = "merged", "People merged"
    UNMERGED = "unmerged", "Merge undone"
    SPLIT = "split", "Record split off"
    DECIDED = "decided", "Reviewer's decision"
    FLAGGED = "flagged", "Needs attention"
    COMPLETED = "completed", "Record completed"


class ResolutionEvent(models.Model):
    """The history of a person's identity, in order: what happened, to which records, by whom, why."""

    kind = models.CharField(max_length=10, choices=EventKind.choices)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    person = models.ForeignKey(Person, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    other_person = models.ForeignKey(
        Person, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    records = models.ManyToManyField(SourceRecord, related_name="events", blank=True)
    merge = models.ForeignKey(Merge, on_delete=models.CASCADE, null=True, blank=True, related_name="events")
    summary = models.CharField(max_length=500)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["person", "at"])]

    def __str__(self) -> str:
        return self.summary


class HoldingAgencyNotice(models.Model):
    """The holding agency told that its record was merged with, or split from, another agency's.

    A linking run tells each agency once, summarising every merge of its records (`run`, no `record`).
    """

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="identity_notices")
    record = models.ForeignKey(
        SourceRecord, on_delete=models.CASCADE, null=True, blank=True, related_name="notices"
    )
    run = models.ForeignKey(
        LinkageRun, on_delete=models.CASCADE, null=True, blank=True, related_name="notices"
    )
    kind = models.CharField(max_length=10, choices=EventKind.choices)
    message = models.CharField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.message
