"""Forms for a person's exclusion and restriction lists: they parse; people.access_lists judges.

Made with auto_id="%s" so the error summary links by field name."""

from __future__ import annotations

import datetime as dt
from typing import Any

from iomshare.kit.form_fields import PageForm, TextField
from iomshare.web.date_forms import DateInputForm


class AddToListForm(DateInputForm):
    """Name a member of staff on a list: who, which list, why, and when to review it."""

    staff_member = TextField()
    kind = TextField()
    reason = TextField()

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        self.review_on: dt.date | None = self.read_date("review_on", "the review date", required=True)
        return cleaned


class RemoveFromListForm(PageForm):
    reason = TextField()


class DecideEntryForm(PageForm):
    """The lead agency's IG lead approves or refuses an entry another agency asked for."""

    decision = TextField()
    reason = TextField()
