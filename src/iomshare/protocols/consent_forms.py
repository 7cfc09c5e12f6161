"""Consent forms: they parse what was typed and chosen; every rule is protocols.consent's.

Made with auto_id="%s" so the error summary links by field name."""

from __future__ import annotations

import datetime as dt
from typing import Any

from iomshare.kit.form_fields import PageForm, TextField, ValuesField
from iomshare.web.date_forms import DateInputForm


class RecordConsentForm(DateInputForm):
    """Consent to one agency's sharing: for all purposes or some, when given, when it expires, how."""

    sharing_agency = TextField()
    scope = TextField()
    purposes = ValuesField()
    method = TextField()
    notes = TextField()

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        self.given_on: dt.date | None = self.read_date(
            "given_on", "the date consent was given", required=True
        )
        self.expires_on: dt.date | None = self.read_date("expires_on", "the date consent expires")
        return cleaned

    def typed_dates(self) -> dict[str, dict[str, str]]:
        """What was typed in each date input, as typed, to show it again beside its error."""
        return {
            name: {part: str(self.data.get(f"{name}-{part}", "")) for part in ("day", "month", "year")}
            for name in ("given_on", "expires_on")
        }


class WithdrawConsentForm(PageForm):
    notes = TextField()


class OverrideConsentForm(PageForm):
    """Share without recorded consent: which agency, which purpose, why, for how many hours."""

    sharing_agency = TextField()
    purpose = TextField()
    reason = TextField()
    hours = TextField()

    def hours_number(self) -> int | None:
        """The hours typed, or None when they are not a whole number (the service says what to enter)."""
        try:
            return int(self.cleaned_data["hours"].strip())
        except ValueError:
            return None
