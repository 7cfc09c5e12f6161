"""Forms for running the cohort: they parse what was typed and chosen; every rule is people.services'.

Answers are cut to the lengths the pages have always accepted, so an overlong post cannot reach a
service; what is missing or wrong is the service's to say. Made with auto_id="%s" (PageForm).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from iomshare.kit.form_fields import CodeField, PageForm, TextField
from iomshare.web.date_forms import DateInputForm

ANSWER = 6000


class _Confirmable:
    """A check-your-answers form: sent again with confirm=yes, it is carried out."""

    cleaned_data: dict[str, Any]

    @property
    def is_confirmed(self) -> bool:
        return self.cleaned_data.get("confirm") == "yes"


class ReferForm(_Confirmable, PageForm):
    source = CodeField(clip=ANSWER)
    reason = CodeField(clip=ANSWER)
    confirm = TextField()

    def values(self) -> dict[str, str]:
        return {"source": self.cleaned_data["source"], "reason": self.cleaned_data["reason"]}


class PanelDecisionForm(_Confirmable, DateInputForm):
    """The selection panel accepts (tier, lead agency, review date) or declines (reason) a referral."""

    decision = CodeField(clip=ANSWER)
    tier = CodeField(clip=ANSWER)
    lead_agency = CodeField(clip=ANSWER)
    reason = CodeField(clip=ANSWER)
    note = CodeField(clip=ANSWER)
    confirm = TextField()

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        self.review_on: dt.date | None = self.read_date("review_on", "the review date")
        return cleaned

    def values(self) -> dict[str, str]:
        return {
            name: self.cleaned_data[name] for name in ("decision", "tier", "lead_agency", "reason", "note")
        }


class AssignKeyWorkerForm(PageForm):
    key_worker = TextField(clip=150)


class RemoveKeyWorkerForm(PageForm):
    key_worker = TextField(clip=150)
    reason = TextField()


class TierForm(PageForm):
    tier = TextField()
    tier_reason = TextField()


class ReviewDateForm(DateInputForm):
    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        self.review_on: dt.date | None = self.read_date("review_on", "the review date", required=True)
        return cleaned


class LeaveForm(_Confirmable, DateInputForm):
    """The panel takes a member off the cohort: the reason, a note and the day they left."""

    reason = TextField(clip=40)
    note = CodeField(clip=5000)
    confirm = TextField()

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        self.ended_on: dt.date | None = self.read_date("ended_on", "the date they left")
        return cleaned
