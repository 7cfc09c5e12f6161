"""Forms for multi-agency meetings: they parse what was typed and picked; every rule is
casework.meetings' or casework.services'. Answers are cut to the lengths the pages always accepted."""

from __future__ import annotations

import datetime as dt
from typing import Any

from iomshare.kit.form_fields import CodeField, PageForm, TextField, ValuesField
from iomshare.web.date_forms import DateInputForm

PICKS = 200  # at most this many agencies, attendees or people picked on one form


class NewMeetingForm(DateInputForm):
    """Arrange a meeting: kind, date, chair, purpose, and the agencies, attendees and people picked."""

    kind = CodeField(clip=150)
    chair = CodeField(clip=150)
    purpose = CodeField(clip=150)
    agencies = ValuesField(limit=PICKS, clip=150)
    attendees = ValuesField(limit=PICKS, clip=150)
    people = ValuesField(limit=PICKS, clip=150)

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        self.held_on: dt.date | None = self.read_date("held_on", "the date of the meeting", required=True)
        return cleaned


class AttendanceForm(PageForm):
    """Who came: the ids of the attendance rows ticked."""

    attended = ValuesField(limit=PICKS)

    def attended_ids(self) -> list[int]:
        return [int(value) for value in self.cleaned_data["attended"] if value.isdigit()]


class MinutesForm(PageForm):
    minutes = TextField(clip=12000)
    decisions = TextField(clip=12000)


class MeetingActionForm(DateInputForm):
    """An action raised from the minutes: what, who owns it, by when."""

    description = TextField(clip=3000)
    owner = TextField(clip=200)

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        self.due_on: dt.date | None = self.read_date("due_on", "the due date", required=True)
        return cleaned
