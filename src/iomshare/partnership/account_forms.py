"""Forms for the account pages: they parse; every rule is the services' (second_factor)."""

from __future__ import annotations

from iomshare.kit.form_fields import PageForm, TextField


class ResetSecondFactorForm(PageForm):
    """Why an administrator removes someone's second factors (on the record)."""

    reason = TextField()
