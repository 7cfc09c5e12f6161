"""Cleaning agencies' raw records into the table Splink compares, in DuckDB (the SQL is comparisons.PREPARE_SQL).

The Python cleaners here mirror that SQL for callers that clean one value at a time.
"""

# SQL here is assembled from our own table and column names and floats, never from user input.
# ruff: noqa: S608

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

import duckdb
import jellyfish
import pyarrow as pa

from iomshare.identity.comparisons import PREPARE_SQL, RAW_SCHEMA
from iomshare.identity.nicknames import canonical_given_name, canonical_table, known_given_names

_NOT_LETTERS = re.compile(r"[^A-Z]")


_NOT_LETTERS_OR_SPACES = re.compile(r"[^A-Z ]")


def clean_given(name: str | None) -> str | None:
    """The first given name, upper case, letters only (mirrors PREPARE_SQL, which is what links)."""
    words = _NOT_LETTERS_OR_SPACES.sub("", (name or "").upper().replace("-", " ")).split()
    return words[0] if words else None


def clean_family(name: str | None) -> str | None:
    """The family name, upper case, letters only: O'Brien and OBRIEN, Smith-Jones and SMITHJONES agree."""
    cleaned = _NOT_LETTERS.sub("", (name or "").upper())
    return cleaned or None


def canonical_given(name: str | None) -> str | None:
    return canonical_given_name(clean_given(name))


def connect(*, threads: int | None = None, memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    """An in-process DuckDB with the nickname table loaded; limits keep a big run inside the machine."""
    con = duckdb.connect(":memory:")
    if threads:
        con.execute(f"set threads={int(threads)}")
    if memory_limit:
        if not re.fullmatch(r"\d+(\.\d+)?\s?[KMGT]i?B", memory_limit):
            raise ValueError("memory_limit looks like '3GB'.")
        con.execute(f"set memory_limit='{memory_limit}'")
    con.execute("set preserve_insertion_order=false")
    names = canonical_table()
    con.register(
        "__iom_nickname_rows",
        pa.table({"name": [n for n, _ in names], "canonical": [c for _, c in names]}),
    )
    con.execute("create or replace table __iom_nicknames as select * from __iom_nickname_rows")
    con.unregister("__iom_nickname_rows")
    con.register("__iom_known_rows", pa.table({"name": known_given_names()}))
    con.execute("create or replace table __iom_known_names as select * from __iom_known_rows")
    con.unregister("__iom_known_rows")
    return con


def prepare(con: duckdb.DuckDBPyConnection, source: pa.Table | str, out: str = "iom_records") -> str:
    """Clean raw records into the table Splink compares; `source` is an Arrow table or a SQL relation.

    A column of RAW_SCHEMA the source lacks (an older extract with no address) is taken as empty.
    """
    if isinstance(source, pa.Table):
        con.register("__iom_raw", source)
        relation = "__iom_raw"
    else:
        relation = source
    present = set(con.sql(f"select * from {relation} limit 0").columns)
    missing = [
        f"cast(null as {'varchar[]' if field.type == pa.list_(pa.string()) else 'varchar'}) as {field.name}"
        for field in RAW_SCHEMA
        if field.name not in present
    ]
    full = f"(select *, {', '.join(missing)} from {relation})" if missing else relation
    register_sounds(con, full)
    con.execute(PREPARE_SQL.format(out=out, source=full))
    if isinstance(source, pa.Table):
        con.unregister("__iom_raw")
    return out


def sound(name: str | None) -> str | None:
    """How a cleaned name sounds (Metaphone): STOKES and STOOKES, HOWARD and HOWRD agree."""
    return jellyfish.metaphone(name) or None if name else None


def register_sounds(con: duckdb.DuckDBPyConnection, relation: str) -> None:
    """Fill `__iom_sounds` (name, sound) for every cleaned family and canonical first name in `relation`.

    Computed in Python over distinct names (far fewer than records), then joined by PREPARE_SQL:
    DuckDB has no phonetic function, and a Python UDF would call out once per record.
    """
    families = con.sql(f"select distinct family_name from {relation}").fetchall()
    givens = con.sql(f"select distinct given_name from {relation}").fetchall()
    names = {clean_family(family) for (family,) in families} | {canonical_given(given) for (given,) in givens}
    ordered = sorted(name for name in names if name)
    con.register(
        "__iom_sound_rows",
        pa.table(
            {"name": ordered, "sound": [sound(name) for name in ordered]},
            schema=pa.schema([("name", pa.string()), ("sound", pa.string())]),
        ),
    )
    con.execute("create or replace table __iom_sounds as select * from __iom_sound_rows")
    con.unregister("__iom_sound_rows")


def raw_table(rows: Iterable[dict[str, Any]]) -> pa.Table:
    """Rows (dicts with RAW_SCHEMA's keys) as the Arrow table `prepare` takes."""
    columns: dict[str, list[Any]] = {name: [] for name in RAW_SCHEMA.names}
    for row in rows:
        for name in RAW_SCHEMA.names:
            value = row.get(name)
            if value == "":
                value = None
            elif name == "date_of_birth" and isinstance(value, str):
                value = dt.date.fromisoformat(value)
            columns[name].append(value)
    return pa.table(columns, schema=RAW_SCHEMA)
