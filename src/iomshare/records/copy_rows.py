"""The COPY plumbing of bulk recording: item rows as PostgreSQL COPY text, and sending it.

Imports write keys with the same text format (`COPY_NULL`, `COPY_ESCAPES`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.db.models import JSONField

from iomshare.records.models import InformationItem

# Fields bulk recording (records.bulk) fills itself; any other field of the model takes its default.
BULK_FIELDS = (
    "id",
    "person_id",
    "holding_agency_id",
    "author_id",
    "category_id",
    "sensitivity",
    "sealed_content",
    "form_code",
    "form_version",
    "recorded_at",
    "valid_from",
    "valid_to",
    "review_by",
)

# COPY's text format: backslash, tab, newline and carriage return are escaped; \N is NULL.
COPY_NULL = "\\N"
COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(value: Any) -> str:
    """One value in COPY's text format."""
    if value is None:
        return COPY_NULL
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dt.date):  # dates and datetimes (aware, so with their offset)
        return value.isoformat()
    return str(value).translate(COPY_ESCAPES)


def default_text(field: Any) -> str:
    """A field's default as COPY text."""
    if isinstance(field, JSONField):
        return copy_text(json.dumps(field.get_default(), cls=DjangoJSONEncoder))
    return copy_text(field.get_db_prep_save(field.get_default(), connection))


def other_fields_tail() -> str | Callable[[], str]:
    """The defaults of the item fields rows do not fill, as the end of a COPY line.

    A text when every default is fixed; a function giving a fresh one per row if a default is not.
    """
    others = copy_fields()[len(BULK_FIELDS) :]
    if any(field.has_default() and callable(field.default) for field in others):
        return lambda: "".join("\t" + default_text(field) for field in others)
    return "".join("\t" + default_text(field) for field in others)


def items_copy_statement() -> str:
    table = connection.ops.quote_name(InformationItem._meta.db_table)
    names = ", ".join(connection.ops.quote_name(field.column) for field in copy_fields())
    return f"COPY {table} ({names}) FROM STDIN"


def copy_fields() -> list:
    """The item fields in COPY order: those rows fill (BULK_FIELDS), then the rest, which take defaults."""
    by_name = {field.attname: field for field in InformationItem._meta.concrete_fields}
    return [by_name[name] for name in BULK_FIELDS] + [
        f for name, f in by_name.items() if name not in BULK_FIELDS
    ]


def send_copies(raw_connection, copies: list[tuple[str, str]]) -> None:
    """Run COPYs on the psycopg connection itself (from the bulk recorder's helper thread)."""
    with raw_connection.cursor() as cursor:
        for statement, text in copies:
            with cursor.copy(statement) as copy:
                copy.write(text)
