"""Forms for recording and changing an item: they parse what was typed and chosen; the rules about
what may be recorded, corrected or withdrawn are records.services'.

Forms are made with auto_id="%s" so the error summary links to each field by its name.
"""

from __future__ import annotations

from typing import Any

from django import forms

from iomshare.records.models import Category
from iomshare.web.govuk_date_field import GovukDateInputField


class RecordsForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)


class RecordItemForm(RecordsForm):
    """A new item: its kind, how sensitive it is, what it says and the period it is valid for."""

    category = forms.ModelChoiceField(
        queryset=Category.objects.all(),
        to_field_name="code",
        error_messages={
            "required": "Select the kind of information",
            "invalid_choice": "Select the kind of information",
        },
    )
    sensitivity = forms.CharField(required=False)
    summary = forms.CharField(required=False, strip=False)
    details = forms.CharField(required=False, strip=False)
    valid_from = GovukDateInputField(label="the date the information applies from")
    review_by = GovukDateInputField(label="the date it must be reviewed by")

    def clean_sensitivity(self) -> int:
        # Which levels exist is the service's rule; here only that a level was chosen.
        try:
            return int(self.cleaned_data["sensitivity"])
        except ValueError:
            raise forms.ValidationError("Select how sensitive the information is") from None

    def clean_summary(self) -> str:
        summary: str = self.cleaned_data["summary"]
        if not summary.strip():
            raise forms.ValidationError("Enter a summary of the information")
        return summary


class CorrectItemForm(RecordsForm):
    summary = forms.CharField(required=False, strip=False)
    details = forms.CharField(required=False, strip=False)
    reason = forms.CharField(required=False)


class WithdrawItemForm(RecordsForm):
    withdraw_reason = forms.CharField(required=False)
