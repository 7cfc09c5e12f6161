"""Casework the partnership runs together: actions (who agreed to do what, by when) and multi-agency
meetings (case conferences, tasking and coordination, complex case panels).

An action's text is free text its raiser writes: not item content, but it names a person, so it is
shown only to those who may know the person (people.visibility). A meeting's minutes are information
items (records), read only through the one door.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

from iomshare.information_requests.models import InformationRequest
from iomshare.partnership.models import Agency
from iomshare.people.models import Person
from iomshare.protocols.models import Purpose


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class RaisedFrom(models.TextChoices):
    PERSON_PAGE = "person", "A person's page"
    MEETING = "meeting", "A meeting"
    REQUEST = "request", "A request for information"
    API = "api", "The API"


class MeetingKind(models.TextChoices):
    CASE_CONFERENCE = "case_conference", "Case conference"
    TASKING = "tasking", "Tasking and coordination"
    COMPLEX_CASE_PANEL = "complex_case_panel", "Complex case panel"


class Meeting(models.Model):
    """A multi-agency meeting about some of the cohort: who was invited, who came, who was discussed."""

    kind = models.CharField(max_length=30, choices=MeetingKind.choices)
    held_on = models.DateField()
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(
        max_length=60, help_text="The purpose every attendee's pack is read for (a protocol purpose code)."
    )
    invited_agencies = models.ManyToManyField(Agency, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.held_on.day} {self.held_on:%B %Y}"

    @property
    def purpose_name(self) -> str:
        """The purpose as people call it ("Case conference"), not its code."""
        return (
            Purpose.objects.filter(code=self.purpose).values_list("name", flat=True).first() or self.purpose
        )


class MeetingAttendee(models.Model):
    """A staff member invited to a meeting, and whether they came (None until attendance is kept)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendees")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    attended = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "staff"], name="casework_one_attendee_each")
        ]

    def __str__(self) -> str:
        return f"{self.staff} at {self.meeting}"


class AgendaPerson(models.Model):
    """A person to discuss at a meeting; their minutes are an information item (records)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    minutes_item_id = models.UUIDField(null=True, blank=True, help_text="The minutes, an information item.")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="casework_discussed_once_per_meeting")
        ]

    def __str__(self) -> str:
        return f"{self.person} at {self.meeting}"


class Action(models.Model):
    """Someone agreed to do something about a person by a date: an owner (a staff member, or an
    agency when nobody is named yet), a due date and a status; overdue is computed, never stored."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    description = models.TextField(help_text="What is to be done, in the raiser's words.")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    owning_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", help_text="The owner's agency, or the owner."
    )
    due_on = models.DateField()
    status = models.CharField(max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raising_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(default=timezone.now)
    raised_from = models.CharField(max_length=10, choices=RaisedFrom.choices)
    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, null=True, blank=True, related_name="actions"
    )
    information_request = models.ForeignKey(
        InformationRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    reminded_before_on = models.DateField(
        null=True, blank=True, help_text="The due date its day-before reminder was sent for."
    )
    reminded_due_on = models.DateField(
        null=True, blank=True, help_text="The due date its on-the-day reminder was sent for."
    )

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["owner", "status", "due_on"], name="casework_action_owner"),
            models.Index(fields=["owning_agency", "status", "due_on"], name="casework_action_agency"),
            models.Index(fields=["person", "status"], name="casework_action_person"),
            models.Index(fields=["status", "due_on"], name="casework_action_due"),
        ]

    def __str__(self) -> str:
        return f"Action {self.pk} about {self.person_id} ({self.get_status_display()})"

    @property
    def number(self) -> str:
        return f"A{self.pk}"

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return self.status == ActionStatus.OPEN and self.due_on < (today or timezone.localdate())

    @property
    def owner_name(self) -> str:
        if self.owner_id is not None:
            return f"{self.owner}, {self.owning_agency.name}"
        return self.owning_agency.name


class ActionChangeKind(models.TextChoices):
    RAISED = "raised", "Raised"
    DONE = "done", "Marked done"
    CANCELLED = "cancelled", "Cancelled"
    REOPENED = "reopened", "Reopened"
    REMINDED = "reminded", "Reminder sent"
    DUE_DATE_CHANGED = "due_changed", "Due date changed"
    OWNER_CHANGED = "owner_changed", "Owner changed"
    REPLANNED = "replanned", "Due date and owner changed"


class ActionChange(models.Model):
    """One change to an action, who made it and why: its history."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=20, choices=ActionChangeKind.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.action_id})"
