"""Writing thousands of identity rows at once: COPY on PostgreSQL, `bulk_create` elsewhere.

Bulk intake and the first link write tens of thousands of records, history events and their links
in one transaction. Django's `bulk_create` builds an INSERT of every value as a parameter, which on
PostgreSQL cost more than half of an intake batch; COPY sends the same rows as text. Rows get their
ids before they are sent (taken from the table's own sequence in one query), so callers can link
to them at once, as after `bulk_create`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.db.models import AutoField, BigAutoField, Field, JSONField, Model

from iomshare.records.copy_rows import copy_text

CHUNK = 5000


def insert(model: type[Model], rows: Sequence[Model]) -> None:
    """Insert `rows` of `model`, each given its id (integer keys) as `bulk_create` does."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(rows, batch_size=CHUNK)
        return
    fields = model._meta.concrete_fields
    if _is_counted(model):
        without = [row for row in rows if row.pk is None]
        for row, pk in zip(without, _new_ids(model, len(without)), strict=True):
            row.pk = pk
    _copy(model, fields, ([getattr(row, field.attname) for field in fields] for row in rows))


def insert_values(model: type[Model], names: Sequence[str], values: Sequence[Sequence[Any]]) -> list[int]:
    """Insert one row of `model` per tuple of `values` (in the order of the field `names`, attnames);
    the other fields take their defaults. Returns the new rows' ids, in order.

    No model instance is built per row: at a hundred thousand rows that alone took seconds.
    """
    if not values:
        return []
    if not _is_counted(model):
        raise TypeError(f"{model.__name__} is not numbered by its table: insert its rows with `insert`")
    by_name = {field.attname: field for field in model._meta.concrete_fields}
    others = [field for name, field in by_name.items() if name not in names and field is not model._meta.pk]
    if connection.vendor != "postgresql":
        rows = [model(**dict(zip(names, row, strict=True))) for row in values]
        model._default_manager.bulk_create(rows, batch_size=CHUNK)
        return [row.pk for row in rows]
    defaults = [field.get_default() for field in others]  # once a call: the same for every row
    ids = _new_ids(model, len(values))
    fields = [model._meta.pk, *(by_name[name] for name in names), *others]
    _copy(model, fields, ([pk, *row, *defaults] for pk, row in zip(ids, values, strict=True)))
    return ids


def _is_counted(model: type[Model]) -> bool:
    """Whether the table numbers its rows itself (an integer key from a sequence)."""
    return isinstance(model._meta.pk, AutoField | BigAutoField)


def _new_ids(model: type[Model], count: int) -> list[int]:
    """`count` ids from the table's sequence, in one query."""
    if count == 0:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, count],
        )
        return [pk for (pk,) in cursor.fetchall()]


def _copy(model: type[Model], fields: Sequence[Any], rows: Any) -> None:
    """COPY `rows` (values in the order of `fields`) into `model`'s table, a few thousand lines a write."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    writers = [_writer(field) for field in fields]
    statement = f"COPY {table} ({names}) FROM STDIN"
    with connection.cursor() as cursor, cursor.copy(statement) as copy:
        lines = []
        for row in rows:
            lines.append("\t".join([write(value) for write, value in zip(writers, row, strict=True)]) + "\n")
            if len(lines) == CHUNK:
                copy.write("".join(lines))
                lines = []
        copy.write("".join(lines))


def _writer(field: Field) -> Callable[[Any], str]:
    """How a value of `field` is written in COPY's text format."""
    if isinstance(field, JSONField):
        encoder = field.encoder or DjangoJSONEncoder
        return lambda value: copy_text(
            None if value is None and field.null else json.dumps(value, cls=encoder)
        )

    def write(value: Any) -> str:
        if value is None or isinstance(value, str | int):
            return copy_text(value)
        return copy_text(field.get_db_prep_save(value, connection))

    return write


def update_field(model: type[Model], name: str, values: dict[Any, Any]) -> None:
    """Set field `name` of each row in `values` (row id -> value): one `UPDATE ... FROM` a `VALUES` list
    per thousand rows (Django's `bulk_update` writes a CASE of a thousand branches, a second a batch
    on PostgreSQL)."""
    table = connection.ops.quote_name(model._meta.db_table)
    field: Any = model._meta.get_field(name)
    primary_key: Any = model._meta.pk
    column = connection.ops.quote_name(field.column)
    key = connection.ops.quote_name(primary_key.column)
    cast = f"::{field.db_type(connection)}" if connection.vendor == "postgresql" else ""
    pairs = list(values.items())
    with connection.cursor() as cursor:
        for start in range(0, len(pairs), 1000):
            chunk = pairs[start : start + 1000]
            rows = ", ".join(["(%s, %s)"] * len(chunk))
            params = [
                p
                for pk, value in chunk
                for p in (
                    primary_key.get_db_prep_value(pk, connection),
                    field.get_db_prep_save(value, connection),
                )
            ]
            cursor.execute(
                f"WITH new (id, value) AS (VALUES {rows}) "  # noqa: S608 - names from the model
                f"UPDATE {table} SET {column} = new.value{cast} FROM new WHERE {table}.{key} = new.id",
                params,
            )
