"""Term-frequency tables (how common each name and postcode is), smoothed, for Splink's adjustments."""

# SQL here is assembled from our own table and column names and floats, never from user input.
# ruff: noqa: S608

from __future__ import annotations

from typing import Any

import duckdb
import pyarrow as pa
from splink import Linker

from iomshare.identity.comparisons import TERM_FREQUENCY_COLUMNS

# Term frequencies are smoothed towards the model's own average as if this many more records had been
# seen: on a small partnership (or a test's two records) a name held by half the records is not
# therefore a common name, and unsmoothed it would all but veto every exact match on it.
TF_PSEUDO_RECORDS = 10_000


def _exact_u(model: dict[str, Any], column: str) -> float:
    for comparison in model["comparisons"]:
        for level in comparison["comparison_levels"]:
            if level.get("tf_adjustment_column") == column and level.get("u_probability"):
                return float(level["u_probability"])
    return 1e-3


def smoothed_frequency(count: int, total: int, u: float) -> float:
    """A value's share of records, pulled towards `u` (the model's chance two random records agree)."""
    return (count + TF_PSEUDO_RECORDS * u) / (total + TF_PSEUDO_RECORDS)


def register_counted_frequencies(
    linker: Linker,
    con: duckdb.DuckDBPyConnection,
    model: dict[str, Any],
    counts: dict[str, dict[str, int]],
    total: int,
) -> None:
    """Register term-frequency tables from counts over every record (not just the candidates)."""
    for column in TERM_FREQUENCY_COLUMNS:
        u = _exact_u(model, column)
        values = counts.get(column, {})
        name = f"__iom_tf_{column}"
        con.register(
            "__iom_tf_rows",
            pa.table(
                {
                    column: list(values),
                    f"tf_{column}": [smoothed_frequency(n, total, u) for n in values.values()],
                },
                schema=pa.schema([(column, pa.string()), (f"tf_{column}", pa.float64())]),
            ),
        )
        con.execute(f"create or replace table {name} as select * from __iom_tf_rows")
        con.unregister("__iom_tf_rows")
        linker.table_management.register_term_frequency_lookup(linker._db_api.register(name), column)


def register_term_frequencies(
    linker: Linker, con: duckdb.DuckDBPyConnection, table: str, model: dict[str, Any]
) -> None:
    """Term-frequency tables over `table`, smoothed (TF_PSEUDO_RECORDS), registered with `linker`."""
    for column in TERM_FREQUENCY_COLUMNS:
        name = term_frequency_table(con, table, model, column)
        linker.table_management.register_term_frequency_lookup(linker._db_api.register(name), column)


def term_frequency_table(
    con: duckdb.DuckDBPyConnection, table: str, model: dict[str, Any], column: str
) -> str:
    u = _exact_u(model, column)
    name = f"__iom_tf_{column}"
    con.execute(
        f"create or replace table {name} as select {column}, "
        f"(count(*) + {TF_PSEUDO_RECORDS} * cast({u!r} as double)) / ((select count(*) from {table}) + {TF_PSEUDO_RECORDS}) "
        f"as tf_{column} from {table} where {column} is not null group by {column}"
    )
    return name
