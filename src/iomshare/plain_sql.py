"""Plain SQL for the few reads on every decision's path (the sharing door runs them on each read).

Building a query through the ORM costs several times what running a small one does, so these reads
are written as SQL over the models' own table and column names. Nothing here reads item content.
"""

from __future__ import annotations

import datetime as dt
import uuid
from functools import lru_cache
from typing import Any

from django.db import connection
from django.db.models import Field, Model


def _concrete(model: type[Model], name: str) -> Field:
    field = model._meta.get_field(name)
    assert isinstance(field, Field)  # callers name a model's own columns, never a reverse relation
    return field


def table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def column(model: type[Model], name: str) -> str:
    name_in_table = _concrete(model, name).column
    assert name_in_table is not None  # set for every concrete field
    return connection.ops.quote_name(name_in_table)


def param(model: type[Model], name: str, value: Any) -> Any:
    """`value` as the database stores the field (SQLite keeps UUIDs as hex text, for one)."""
    return _concrete(model, name).get_db_prep_value(value, connection)


def rows(sql: str, params: list | tuple = ()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def select(model: type[Model], names: tuple[str, ...], where: dict[str, Any] | None = None) -> list[tuple]:
    """`names` of the rows of `model` whose fields equal `where`'s values."""
    where = where or {}
    params = [param(model, name, value) for name, value in where.items()]
    return rows(_select_text(model, names, tuple(where), connection.vendor), params)


@lru_cache(maxsize=256)
def _select_text(model: type[Model], names: tuple[str, ...], where: tuple[str, ...], vendor: str) -> str:
    """The statement for `select`, written once per shape (and database vendor, which quotes names)."""
    sql = f"SELECT {', '.join(column(model, name) for name in names)} FROM {table(model)}"  # noqa: S608
    conditions = [f"{column(model, name)} = %s" for name in where]
    return f"{sql} WHERE {' AND '.join(conditions)}" if conditions else sql


def as_date(value: Any) -> dt.date | None:
    """A date column's value (SQLite gives text)."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def as_required_date(value: Any) -> dt.date:
    """A NOT NULL date column's value (SQLite gives text)."""
    day = as_date(value)
    assert day is not None  # NOT NULL
    return day


def as_uuid(value: Any) -> uuid.UUID:
    """A UUID column's value (SQLite gives hex text)."""
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
