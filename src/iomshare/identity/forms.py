"""Forms for the identity pages: they parse what a reviewer chose and typed, as sent; whether two
records may be linked, a merge undone or a waiting record completed is identity.services' (and
waiting's) to decide, with their own messages.

Forms are made with auto_id="%s" so the error summary links to each field by its name.
"""

from __future__ import annotations

from typing import Any

from django import forms

from iomshare.web.govuk_date_field import DatePartsWidget


class IdentityForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)


def _as_sent() -> forms.CharField:
    """Text passed on exactly as sent: the services strip and check it."""
    return forms.CharField(required=False, strip=False)


class DecisionForm(IdentityForm):
    """Same person or not, how sure, and why; `confirmed` is "yes" once a link has been checked."""

    outcome = _as_sent()
    confidence = _as_sent()
    rationale = _as_sent()
    confirmed = _as_sent()

    def decision(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name, "") for name in ("outcome", "confidence", "rationale")}


class ConflictDecisionForm(DecisionForm):
    """A decision on two of the records of a case that needs attention (chosen by their ids)."""

    record_a = _as_sent()
    record_b = _as_sent()


class CloseConflictForm(IdentityForm):
    note = _as_sent()


class UnmergeForm(IdentityForm):
    rationale = _as_sent()


class DateOfBirthField(forms.Field):
    """The date of birth boxes as YYYY-MM-DD, or as typed when not numbers: the service checks the
    date and names the problem; empty when nothing was typed."""

    widget = DatePartsWidget

    def clean(self, value: Any) -> str:
        parts = value if isinstance(value, dict) else {}
        day, month, year = (str(parts.get(part, "")).strip() for part in ("day", "month", "year"))
        if not (day or month or year):
            return ""
        if not (day.isdigit() and month.isdigit() and year.isdigit()):
            return f"{year}-{month}-{day}"
        return f"{int(year):04d}-{int(month):02d}-{int(day):02d}"


class CompleteRecordForm(IdentityForm):
    """What a waiting record lacks, added by its holding agency."""

    given_name = _as_sent()
    family_name = _as_sent()
    postcode = _as_sent()
    date_of_birth = DateOfBirthField(required=False)
