"""Organisation profiles, the skills directory and practice notes: knowledge, not case records.

Nothing here is about a person from the cohort: practice notes are refused if they name one or
carry an identifier (knowledge.naming), so these tables are readable by every partner.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

from iomshare.casework.models import Meeting
from iomshare.partnership.models import Agency
from iomshare.vocabulary.models import Concept

PROFILE_REVIEW_DAYS = 365  # a profile counts as complete only if reviewed within this many days


class OrganisationProfile(models.Model):
    """One agency's account of itself for its partners: what it does, for whom, and how to reach it.

    Assurance is not kept here: the page reads it from the Agency, where the sharing decision reads it.
    """

    agency = models.OneToOneField(Agency, on_delete=models.CASCADE, related_name="profile")
    services = models.TextField(blank=True, help_text="The services the agency runs.")
    eligibility = models.TextField(
        blank=True, help_text="Who the services are for, and who they are not for."
    )
    offer_to_cohort = models.TextField(blank=True, help_text="What the agency can offer the IOM cohort.")
    values = models.TextField(blank=True, help_text="The agency's values and ways of working.")
    contact_mailbox = models.EmailField(blank=True, help_text="A team or role mailbox, not a person's.")
    contact_phone = models.CharField(max_length=40, blank=True)
    contact_hours = models.CharField(max_length=120, blank=True)
    reviewed_on = models.DateField(null=True, blank=True, help_text="When someone last confirmed it.")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["agency__name"]

    def __str__(self) -> str:
        return f"Profile of {self.agency}"

    def missing_sections(self) -> list[str]:
        """The required sections still empty, in the words the page uses."""
        missing = [label for name, label in REQUIRED_SECTIONS if not str(getattr(self, name)).strip()]
        if not (self.contact_mailbox.strip() or self.contact_phone.strip()):
            missing.append("Contact (a mailbox or a phone number)")
        return missing

    def is_complete(self, today: dt.date | None = None) -> bool:
        """Complete: every required section filled, and reviewed in the last 12 months."""
        today = today or timezone.localdate()
        return (
            not self.missing_sections()
            and self.reviewed_on is not None
            and self.reviewed_on >= today - dt.timedelta(days=PROFILE_REVIEW_DAYS)
        )


REQUIRED_SECTIONS = [
    ("services", "Services offered"),
    ("eligibility", "Eligibility"),
    ("offer_to_cohort", "What it can offer the cohort"),
    ("values", "Values and ways of working"),
]


class ProfileRevision(models.Model):
    """One edit of a profile: who, when and which sections changed (the profile's history)."""

    profile = models.ForeignKey(OrganisationProfile, on_delete=models.CASCADE, related_name="revisions")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    changed = models.JSONField(default=list, help_text="Names of the sections changed; empty: reviewed only.")

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.profile} changed at {self.at:%Y-%m-%d %H:%M}"


class Skill(models.Model):
    """Something a staff member can be asked about; removing one keeps the row (history)."""

    staff_member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="skills"
    )
    topic = models.CharField(max_length=120)
    topic_key = models.CharField(max_length=120, db_index=True, editable=False, help_text="Lower-cased.")
    detail = models.CharField(max_length=300, blank=True)
    added_at = models.DateTimeField(default=timezone.now)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["topic_key", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["staff_member", "topic_key"],
                condition=models.Q(removed_at__isnull=True),
                name="knowledge_skill_listed_once",
            )
        ]

    def __str__(self) -> str:
        return self.topic

    def save(self, *args, **kwargs) -> None:
        self.topic_key = " ".join(self.topic.split()).lower()
        super().save(*args, **kwargs)


class LearnedFrom(models.TextChoices):
    CASE = "case", "A case"
    MEETING = "meeting", "A meeting"
    OTHER = "other", "Other work"


class PracticeNote(models.Model):
    """A short, de-personalised lesson from a case or meeting, written for every partner to use."""

    title = models.CharField(max_length=120)
    lesson = models.TextField()
    pathway = models.ForeignKey(Concept, on_delete=models.PROTECT, related_name="+")
    offence_group = models.ForeignKey(
        Concept, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    learned_from = models.CharField(max_length=10, choices=LearnedFrom.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="practice_notes")
    written_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-written_at", "-id"]
        indexes = [models.Index(fields=["agency", "written_at"], name="knowledge_note_agency_at")]

    def __str__(self) -> str:
        return self.title


class UseKind(models.TextChoices):
    USEFUL = "useful", "Marked useful"
    MEETING = "meeting", "Linked from a meeting"


class NoteUse(models.Model):
    """A practice note put to use: someone marked it useful, or linked it from a meeting."""

    note = models.ForeignKey(PracticeNote, on_delete=models.CASCADE, related_name="uses")
    kind = models.CharField(max_length=10, choices=UseKind.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["note", "by"], condition=models.Q(kind="useful"), name="knowledge_useful_once_each"
            ),
            models.UniqueConstraint(
                fields=["note", "meeting"], condition=models.Q(kind="meeting"), name="knowledge_linked_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.note}"
