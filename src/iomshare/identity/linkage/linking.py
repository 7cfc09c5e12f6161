"""Linking with a trained model: score blocked pairs, cluster, check conflicts; or match one new record."""

# SQL here is assembled from our own table and column names and floats, never from user input.
# ruff: noqa: S608

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import duckdb
import pyarrow as pa
from splink import DuckDBAPI, Linker
from splink.clustering import cluster_pairwise_predictions_at_threshold

from iomshare.identity.linkage.cleaning import connect, prepare, raw_table
from iomshare.identity.linkage.conflicts import Conflict, find_conflicting_pairs, resolve_conflicts
from iomshare.identity.linkage.frequencies import register_counted_frequencies, register_term_frequencies
from iomshare.identity.linkage.spark import predict_on_spark
from iomshare.identity.linkage.training import Progress, no_progress

# Pairs scored at or above this are kept from prediction at all; below it they stay apart.
DEFAULT_LOWER = 0.50
# At or above this two records are linked automatically; between the two, a person reviews them.
# 0.99, not 0.95: the first threshold whose automatic links reach a precision of 0.999 on extracts
# without national identifiers (docs/identity.md, the evidence table); a wrong merge shows one
# person's record to those who may see the other's, a review costs a minute of someone's time.
DEFAULT_UPPER = 0.99


@dataclass(frozen=True)
class Thresholds:
    """Match probabilities that split pairs into linked, for review, and apart."""

    lower: float = DEFAULT_LOWER
    upper: float = DEFAULT_UPPER

    def __post_init__(self) -> None:
        if not 0 < self.lower < self.upper < 1:
            raise ValueError("Thresholds must satisfy 0 < lower < upper < 1.")


@dataclass
class LinkResult:
    """What a linkage run found: clusters, pairs for review, and clusters that need a person's attention.

    Clusters and review pairs come back as Arrow tables (columnar, copied straight out of DuckDB);
    the Python views below are built only when something reads them.
    """

    cluster_table: pa.Table  # unique_id, cluster_id (the smallest record id in its cluster)
    review_table: pa.Table  # unique_id_l, unique_id_r, match_probability, match_weight, mw_*; best first
    conflicts: list[Conflict]
    pairs_scored: int
    linked_pairs: int
    seconds: dict[str, float]

    @cached_property
    def clusters(self) -> dict[int, int]:
        """Record id -> cluster id."""
        return dict(
            zip(
                self.cluster_table.column("unique_id").to_pylist(),
                self.cluster_table.column("cluster_id").to_pylist(),
                strict=True,
            )
        )

    @cached_property
    def review_pairs(self) -> list[dict[str, Any]]:
        """Pairs between the thresholds in different clusters, best first, with their weights."""
        return self.review_table.to_pylist()


def _register_pairs(con: duckdb.DuckDBPyConnection, name: str, pairs: Iterable[tuple[int, int]]) -> str:
    ordered = sorted({(min(a, b), max(a, b)) for a, b in pairs if a != b})
    schema = pa.schema([("unique_id_l", pa.int64()), ("unique_id_r", pa.int64())])
    con.register(
        name,
        pa.table(
            {"unique_id_l": [a for a, _ in ordered], "unique_id_r": [b for _, b in ordered]}, schema=schema
        ),
    )
    return name


def linker_for(con: duckdb.DuckDBPyConnection, table: str, model: dict[str, Any]) -> Linker:
    return Linker(DuckDBAPI(con).register(table), model, log_level=logging.ERROR)


def link(
    con: duckdb.DuckDBPyConnection,
    table: str,
    model: dict[str, Any],
    *,
    thresholds: Thresholds = Thresholds(),
    must_link: Iterable[tuple[int, int]] = (),
    cannot_link: Iterable[tuple[int, int]] = (),
    progress: Progress = no_progress,
    engine: str = "duckdb",
) -> LinkResult:
    """Score blocked pairs, cluster those above the upper threshold (plus pairs that must link), and
    report pairs for review and clusters whose records conflict. Uses the trained model: no retraining.

    A pair that must not link never forms an edge itself; if its records still meet through others,
    their cluster is a conflict for a person to look at.
    """
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    progress("Scoring pairs", 0, 4)
    if engine == "spark":
        predictions = predict_on_spark(con, table, model, thresholds.lower)
    elif engine == "duckdb":
        linker = linker_for(con, table, model)
        register_term_frequencies(linker, con, table, model)
        predicted = linker.inference.predict(
            threshold_match_probability=thresholds.lower, warning_mode="never"
        )
        predictions = predicted.physical_name
    else:
        raise ValueError(f"Unknown linkage engine {engine!r}: use duckdb or spark.")
    seconds["predict"] = time.perf_counter() - started
    progress("Scoring pairs", 1, 4)

    started = time.perf_counter()
    must = _register_pairs(con, "__iom_must_link", must_link)
    cannot = _register_pairs(con, "__iom_cannot_link", cannot_link)
    con.execute(
        f"""
        create or replace table __iom_edges as
        select p.unique_id_l, p.unique_id_r, p.match_probability from {predictions} p
        anti join {cannot} k
            on k.unique_id_l = least(p.unique_id_l, p.unique_id_r)
           and k.unique_id_r = greatest(p.unique_id_l, p.unique_id_r)
        where p.match_probability >= {thresholds.upper!r}
        union all select unique_id_l, unique_id_r, 1.0 from {must}
        """
    )
    clustered = cluster_pairwise_predictions_at_threshold(
        nodes=table, edges="__iom_edges", db_api=DuckDBAPI(con), node_id_column_name="unique_id"
    )
    # Renamed rather than copied: the clusters are this run's from here on (Splink's cache of
    # table names belongs to the DuckDBAPI made just for this call, and goes with it).
    con.execute("drop table if exists __iom_clusters")
    con.execute(f"alter table {clustered.physical_name} rename to __iom_clusters")
    seconds["cluster"] = time.perf_counter() - started
    progress("Clustering", 2, 4)

    started = time.perf_counter()
    # The three counts a run reports, in one round trip rather than three.
    total, pairs_scored, linked_pairs = con.sql(
        f"select (select count(*) from {table}), (select count(*) from {predictions}), "
        "(select count(*) from __iom_edges)"
    ).fetchall()[0]
    find_conflicting_pairs(con, table, cannot_link=cannot, common=max(3, total // 5000))
    conflicts = resolve_conflicts(con, thresholds.upper)
    seconds["conflicts"] = time.perf_counter() - started
    progress("Checking conflicts", 3, 4)

    started = time.perf_counter()
    # Pairs for review stay in DuckDB until the run is applied: the pairs between the thresholds
    # whose records ended in different clusters, joined here rather than filtered in Python.
    weight_columns = [
        c for c in con.sql(f"select * from {predictions} limit 0").columns if c.startswith("mw_")
    ]
    review = con.sql(
        f"""
        select p.unique_id_l, p.unique_id_r, p.match_probability, p.match_weight,
            {", ".join(f"p.{column}" for column in weight_columns)}
        from {predictions} p
        join __iom_clusters l on l.unique_id = p.unique_id_l
        join __iom_clusters r on r.unique_id = p.unique_id_r
        where p.match_probability < {thresholds.upper!r} and l.cluster_id <> r.cluster_id
        order by p.match_probability desc, p.unique_id_l, p.unique_id_r
        """
    ).to_arrow_table()
    clusters = con.sql("select unique_id, cluster_id from __iom_clusters").to_arrow_table()
    seconds["review"] = time.perf_counter() - started
    progress("Done", 4, 4)
    for name in ("__iom_must_link", "__iom_cannot_link"):
        con.unregister(name)
    return LinkResult(
        cluster_table=clusters,
        review_table=review,
        conflicts=conflicts,
        pairs_scored=int(pairs_scored),
        linked_pairs=int(linked_pairs),
        seconds=seconds,
    )


def match_new(
    model: dict[str, Any],
    record: dict[str, Any],
    candidates: Sequence[dict[str, Any]],
    *,
    thresholds: Thresholds = Thresholds(),
    term_frequencies: dict[str, dict[str, int]] | None = None,
    total_records: int = 0,
) -> list[dict[str, Any]]:
    """Score one arriving record against candidate existing records with the saved model (no retraining).

    `term_frequencies` gives, per TERM_FREQUENCY_COLUMNS column, how many of all `total_records`
    records hold each cleaned value (the candidates alone would make every shared name look common). Returns the pairs at
    or above the lower threshold, best first, each with its gamma values so the weights can be explained.
    """
    if not candidates:
        return []
    con = connect(threads=1)
    try:
        prepare(con, raw_table(candidates), out="iom_existing")
        prepare(con, raw_table([record]), out="iom_new")
        db_api = DuckDBAPI(con)
        existing = db_api.register("iom_existing")
        arriving = db_api.register("iom_new")
        linker = Linker(existing, model, log_level=logging.ERROR)
        register_counted_frequencies(
            linker, con, model, term_frequencies or {}, total_records or len(candidates) + 1
        )
        scored = linker.inference.predict_between(
            existing, arriving, threshold_match_probability=thresholds.lower, warning_mode="never"
        )
        rows = scored.as_record_list()
    finally:
        con.close()
    return sorted(rows, key=lambda row: -row["match_probability"])
