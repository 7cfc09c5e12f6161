"""Forms for alerts: they parse what was chosen; every rule is alerts.services'.

Made with auto_id="%s" so the error summary links by field name."""

from __future__ import annotations

from iomshare.kit.form_fields import PageForm, TextField, ValuesField


class FollowForm(PageForm):
    """Follow a person, or stop (stop=yes)."""

    stop = TextField()

    @property
    def is_stop(self) -> bool:
        return self.cleaned_data.get("stop") == "yes"


class PreferencesForm(PageForm):
    """How to be told: e-mail, tiers followed, the agency's cohort (lead_agency=yes), quiet hours."""

    email = TextField()
    tiers = ValuesField()
    lead_agency = TextField()
    quiet_from = TextField()
    quiet_until = TextField()
