"""GOV.UK date inputs (three boxes, `name-day`, `name-month`, `name-year`) read by a Django form."""

from __future__ import annotations

import datetime as dt
from typing import Any

from iomshare.kit.form_fields import PageForm
from iomshare.web.govuk_dates import DateInputError, parse_date_input


class DateInputForm(PageForm):
    """A form with GOV.UK date inputs: `read_date` parses one, keeping its problem in `date_errors`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.date_errors: dict[str, str] = {}

    def read_date(self, name: str, label: str, *, required: bool = False) -> dt.date | None:
        """The date typed in `name`'s boxes, or None (blank, or wrong: see `date_errors[name]`)."""
        try:
            return parse_date_input(self.data, name, label, required=required)
        except DateInputError as error:
            self.date_errors[name] = str(error)
            return None

    def date_parts(self, name: str, *, strip: bool = True) -> dict[str, str]:
        """What was typed in `name`'s boxes, to show again (each cut to four characters)."""
        typed = {part: str(self.data.get(f"{name}-{part}", "")) for part in ("day", "month", "year")}
        return {part: (text.strip() if strip else text)[:4] for part, text in typed.items()}
