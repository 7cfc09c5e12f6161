"""Forms for imports and bulk extracts in the browser: they parse what was chosen and sent; every
rule is exchange.imports' or exchange.extract_runs'. Made with auto_id="%s" (PageForm)."""

from __future__ import annotations

from iomshare.kit.form_fields import FileAsSentField, PageForm, TextField


class UploadForm(PageForm):
    """The kind of extract (an import profile's name) and its file."""

    profile = TextField()
    file = FileAsSentField()


class CommitForm(PageForm):
    """Import a checked file; accept_valid_rows=yes imports its valid rows when some are not."""

    accept_valid_rows = TextField()


class ExtractForm(PageForm):
    """A bulk extract: its format (json or csv) and the purpose, if any."""

    format = TextField()
    purpose = TextField(clip=200)
