"""A form field for the GOV.UK date input: three boxes named `<name>-day`, `<name>-month`, `<name>-year`.

Its messages are parse_date_input's ("Enter the date to review the information again", "... must be a
real date"), so a page that moves from hand parsing to a form says exactly what it said before.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django import forms

from iomshare.web.govuk_dates import DateInputError, date_from_parts

PARTS = ("day", "month", "year")


class DatePartsWidget(forms.Widget):
    """Reads the three boxes back as typed, {"day": ..., "month": ..., "year": ...}."""

    def value_from_datadict(self, data: Mapping[str, Any], files: Any, name: str) -> dict[str, str]:
        return {part: str(data.get(f"{name}-{part}", "")) for part in PARTS}

    def value_omitted_from_data(self, data: Mapping[str, Any], files: Any, name: str) -> bool:
        return False


class GovukDateInputField(forms.Field):
    """A date from the three boxes; `label` names it in the messages ("Enter {label}")."""

    widget = DatePartsWidget

    def __init__(self, *, label: str, required: bool = True, **kwargs: Any) -> None:
        super().__init__(required=False, label=label, **kwargs)
        self.date_is_required = required
        self.date_label = label

    def clean(self, value: Any) -> dt.date | None:
        parts = value if isinstance(value, dict) else {}
        try:
            return date_from_parts(
                parts.get("day", ""),
                parts.get("month", ""),
                parts.get("year", ""),
                self.date_label,
                required=self.date_is_required,
            )
        except DateInputError as error:
            raise forms.ValidationError(str(error), code="invalid") from None


def typed_parts(form: forms.Form, name: str) -> dict[str, str]:
    """The three boxes of date field `name` as typed, for the template; empty before anything is sent."""
    value = form[name].value() if form.is_bound else None
    return value if isinstance(value, dict) else {part: "" for part in PARTS}
