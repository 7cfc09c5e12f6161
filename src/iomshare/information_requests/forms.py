"""Forms for requests for information: they parse what was typed and ticked; every rule is
information_requests.services'. Made with auto_id="%s" so the error summary links by field name."""

from __future__ import annotations

import datetime as dt
from typing import Any

from iomshare.kit.form_fields import CodeField, PageForm, TextField, ValuesField
from iomshare.web.govuk_dates import DateInputError, parse_date_input


class NewRequestForm(PageForm):
    """Ask a holding agency for its information about a person (the person named by `person`)."""

    person = CodeField()
    holding_agency = CodeField()
    category = CodeField()
    purpose = CodeField()
    legal_gateway = CodeField()
    justification = TextField()
    urgency = TextField()


class ApproveForm(PageForm):
    """The items to disclose, the last day they are seen (GOV.UK date boxes expires_on-*) and a note."""

    item_ids = ValuesField()
    note = TextField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.expires_on: dt.date | None = None
        self.date_error = ""

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        try:
            self.expires_on = parse_date_input(
                self.data, "expires_on", "the date the approval ends", required=True
            )
        except DateInputError as error:
            self.date_error = str(error)
        return cleaned

    def date_parts(self) -> dict[str, str]:
        return {part: str(self.data.get(f"expires_on-{part}", "")) for part in ("day", "month", "year")}


class RefuseForm(PageForm):
    reason = TextField()


class WithdrawForm(PageForm):
    withdraw_reason = TextField()
