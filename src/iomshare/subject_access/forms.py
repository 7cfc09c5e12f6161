"""Forms for the subject access pages: they parse what an IG lead typed and chose; the rules (the
deadline, who may extend it, what a redaction needs) are subject_access.services', with their messages.

Forms are made with auto_id="%s" so the error summary links to each field by its name.
"""

from __future__ import annotations

from typing import Any

from django import forms

from iomshare.web.govuk_date_field import GovukDateInputField


class SubjectAccessForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)


def _as_sent() -> forms.CharField:
    """Text passed on exactly as sent: the services strip and check it."""
    return forms.CharField(required=False, strip=False)


class NewRequestForm(SubjectAccessForm):
    made_by = _as_sent()
    received_on = GovukDateInputField(label="the date the request was received")


class IdentityCheckForm(SubjectAccessForm):
    method = _as_sent()
    checked_on = GovukDateInputField(label="the date identity was confirmed")


class ExtendForm(SubjectAccessForm):
    """By how many months, and why; a number that is not one reaches the service as None, which says so."""

    months = _as_sent()
    reason = _as_sent()

    def clean_months(self) -> int | None:
        try:
            return int(self.cleaned_data["months"])
        except ValueError:
            return None


class DecideItemForm(SubjectAccessForm):
    """Release, redact or withhold one item: the exemption relied on and the fields redacted."""

    outcome = _as_sent()
    exemption = _as_sent()
    exemption_named = _as_sent()
    note = _as_sent()
    redacted_fields = forms.Field(required=False, widget=forms.MultipleHiddenInput)


class ReleaseForm(SubjectAccessForm):
    sent_on = GovukDateInputField(label="the date the pack was sent")
