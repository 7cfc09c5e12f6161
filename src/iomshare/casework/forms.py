"""Forms for actions: parse what a person typed and chose; every rule is casework.services'."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from iomshare.kit.form_fields import CodeField, PageForm, TextField
from iomshare.partnership.models import Agency, StaffMember
from iomshare.web.date_forms import DateInputForm
from iomshare.web.govuk_dates import DateInputError, parse_date_input


class ReplanActionForm(PageForm):
    """A new due date (GOV.UK day, month, year boxes named due_on-*), owner and the reason."""

    owner = forms.CharField(required=False, max_length=200)
    reason = forms.CharField(required=False, max_length=3000)

    def __init__(self, *args, staff: list[StaffMember], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.staff = staff
        self.due_on: dt.date | None = None
        self.date_error = ""

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        try:
            self.due_on = parse_date_input(self.data, "due_on", "the due date", required=True)
        except DateInputError as error:
            self.date_error = str(error)
        return cleaned

    def field_errors(self) -> dict[str, str]:
        """Each field's first problem, the due date's included, keyed as the service keys them."""
        errors = {name: str(problems[0]) for name, problems in self.errors.items()}
        return errors | ({"due_on": self.date_error} if self.date_error else {})

    def date_parts(self) -> dict[str, str]:
        return {part: str(self.data.get(f"due_on-{part}", ""))[:4] for part in ("day", "month", "year")}

    def chosen_owner(self) -> tuple[StaffMember | None, Agency | None]:
        """The owner chosen: `staff:<username>` (one of the staff offered) or `agency:<code>`."""
        kind, _, key = self.cleaned_data.get("owner", "").partition(":")
        if kind == "staff":
            return next((s for s in self.staff if s.username == key), None), None
        if kind == "agency":
            return None, Agency.objects.filter(code=key).first()
        return None, None


class RaiseActionForm(DateInputForm):
    """A new action: what is to be done, by whom (`staff:<username>` or `agency:<code>`) and by when."""

    description = CodeField(clip=3000)
    owner = CodeField(clip=3000)

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        self.due_on: dt.date | None = self.read_date("due_on", "the due date", required=True)
        return cleaned


class ActionStatusForm(PageForm):
    """Mark an action done or cancelled, with a note."""

    status = TextField(clip=20)
    note = CodeField(clip=3000)
