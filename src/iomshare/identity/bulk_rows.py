"""Writing thousands of identity rows at once: COPY on PostgreSQL, `bulk_create` elsewhere.

Bulk intake and the first link write tens of thousands of records, history events and their links
in one transaction. Django's `bulk_create` builds an INSERT of every value as a parameter, which on
PostgreSQL cost more than half of an intake batch; COPY sends the same rows as text. Rows get their
ids before they are sent (taken from the table's own sequence in one query), so callers can link
to them at once, as after `bulk_create`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.db.models import AutoField, BigAutoField, JSONField, Model

from iomshare.records.copy_rows import copy_text

CHUNK = 5000


def insert(model: type[Model], rows: Sequence[Model]) -> None:
    """Insert `rows` of `model`, each given its id (integer keys) as `bulk_create` does."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(rows, batch_size=CHUNK)
        return
    _give_ids(model, rows)
    fields = model._meta.concrete_fields
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    with connection.cursor() as cursor:
        with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:  # noqa: S608 - names from the model
            for start in range(0, len(rows), CHUNK):
                copy.write("".join(_line(row, fields) for row in rows[start : start + CHUNK]))


def _give_ids(model: type[Model], rows: Sequence[Model]) -> None:
    """Ids from the table's sequence for the rows that have none: one query for all of them."""
    primary_key = model._meta.pk
    if not isinstance(primary_key, AutoField | BigAutoField):
        return
    without = [row for row in rows if row.pk is None]
    if not without:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, primary_key.column, len(without)],
        )
        for row, (pk,) in zip(without, cursor.fetchall(), strict=True):
            row.pk = pk


def _line(row: Model, fields: Sequence[Any]) -> str:
    return "\t".join(_text(row, field) for field in fields) + "\n"


def _text(row: Model, field: Any) -> str:
    value = getattr(row, field.attname)
    if isinstance(field, JSONField):
        return copy_text(json.dumps(value, cls=field.encoder or DjangoJSONEncoder))
    if value is None or isinstance(value, str | int):
        return copy_text(value)
    return copy_text(field.get_db_prep_save(value, connection))
