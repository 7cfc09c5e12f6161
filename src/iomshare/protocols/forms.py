"""Forms for a protocol's page and its import: they parse; every rule is protocols.services' or
yaml_format's. (The editor's forms are in editor_forms, consent's in consent_forms.)"""

from __future__ import annotations

from iomshare.kit.form_fields import FileAsSentField, PageForm, TextField


class ProtocolActionForm(PageForm):
    """Why a protocol is suspended or ended (approving, resuming and drafting need no reason)."""

    reason = TextField()


class ImportProtocolForm(PageForm):
    """A protocol's YAML: uploaded as a file, or pasted as text."""

    file = FileAsSentField()
    text = TextField()
