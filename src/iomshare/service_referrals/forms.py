"""Forms for services offered, referrals to them and conversations with other agencies: they parse
what was typed and chosen; every rule is service_referrals.services' or exchanges'. Answers are cut
to the lengths the pages always accepted."""

from __future__ import annotations

import datetime as dt
from typing import Any

from iomshare.kit.form_fields import CodeField, PageForm, TextField, ValuesField
from iomshare.web.date_forms import DateInputForm


class OfferServiceForm(PageForm):
    name = CodeField(clip=5000)
    kind = CodeField(clip=5000)
    purpose = CodeField(clip=5000)
    contact = CodeField(clip=5000)
    description = CodeField(clip=5000)


class ReferToServiceForm(PageForm):
    """The service chosen, why, and the items to send (at most 60)."""

    service = TextField()
    reason = TextField(clip=6000)
    item_ids = ValuesField(limit=60)


class DecideReferralForm(PageForm):
    """Accept, decline (with a reason) or complete: the service judges which is open."""

    decision = TextField(clip=20)
    reason = TextField(clip=6000)


class RecordExchangeForm(DateInputForm):
    """A conversation with another agency: who, how, when (happened_on-*), what was said."""

    other_agency = CodeField(clip=6000)
    other_person = CodeField(clip=6000)
    channel = CodeField(clip=6000)
    what = CodeField(clip=6000)

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        self.happened_on: dt.date | None = self.read_date(
            "happened_on", "the date of the conversation", required=True
        )
        return cleaned
