"""Probabilistic linkage of agencies' source records with Splink (DuckDB embedded, Spark past one machine).

One place defines how records are cleaned, compared and blocked, so training, linking the whole
partnership, matching one new record and the benchmarks all use the same model. Nothing here touches
Django: it takes and returns Arrow tables and plain Python values, so it can run on a million
records from a Parquet file as readily as on the partnership's database.
"""

# SQL here is assembled from our own table and column names and floats, never from user input.
# ruff: noqa: S608

from __future__ import annotations

import datetime as dt
import logging
import math
import re
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import duckdb
import pyarrow as pa
from splink import DuckDBAPI, Linker, block_on
from splink.clustering import cluster_pairwise_predictions_at_threshold

from iomshare.identity.comparisons import (
    DESCRIPTIONS,
    IDENTIFIER_LABELS,
    IDENTIFIER_SCHEMES,
    PREPARE_SQL,
    RAW_SCHEMA,
    TERM_FREQUENCY_COLUMNS,
    describe,
    settings,
)
from iomshare.identity.nicknames import canonical_given_name, canonical_table, known_given_names

# Pairs scored at or above this are kept from prediction at all; below it they stay apart.
DEFAULT_LOWER = 0.50
# At or above this two records are linked automatically; between the two, a person reviews them.
DEFAULT_UPPER = 0.95

Progress = Callable[[str, int, int], None]
logger = logging.getLogger(__name__)


def _no_progress(step: str, done: int, total: int) -> None:
    return None


@dataclass(frozen=True)
class Thresholds:
    """Match probabilities that split pairs into linked, for review, and apart."""

    lower: float = DEFAULT_LOWER
    upper: float = DEFAULT_UPPER

    def __post_init__(self) -> None:
        if not 0 < self.lower < self.upper < 1:
            raise ValueError("Thresholds must satisfy 0 < lower < upper < 1.")


# -- cleaning --------------------------------------------------------------------------------------

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
    con.execute(PREPARE_SQL.format(out=out, source=full))
    if isinstance(source, pa.Table):
        con.unregister("__iom_raw")
    return out


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


# -- the model (defined in comparisons.py) ------------------------------------------------------

_describe = describe


def _fill_unobserved_u(model: dict[str, Any], records: int) -> None:
    """A level random pairs never reached (two records sharing a CRO number) gets u of one in `records`.

    Random sampling cannot see agreements that rare; leaving u unset would silently drop the evidence.
    """
    for comparison in model.get("comparisons", []):
        for level in comparison["comparison_levels"]:
            if not level.get("is_null_level") and level.get("u_probability") is None:
                level["u_probability"] = 1 / max(records, 2)


def _deterministic_rules() -> list:
    return [
        block_on("pnc"),
        block_on("nhs"),
        block_on("nomis"),
        "l.given_name = r.given_name and l.family_name = r.family_name and l.dob = r.dob",
    ]


@dataclass
class TrainingReport:
    model: dict[str, Any]
    records: int
    seconds: float
    steps: list[str] = field(default_factory=list)


def train(
    con: duckdb.DuckDBPyConnection,
    table: str,
    *,
    seed: int = 1,
    u_max_pairs: float = 1e6,
    em_max_pairs: float = 2e6,
    progress: Progress = _no_progress,
) -> TrainingReport:
    """Fit the model by EM on the partnership's own records: no labelled data needed.

    u from random pairs (almost all non-matches), the prior from deterministic identifier rules,
    then m by EM twice: blocked on date of birth (to learn names) and on names (to learn dates).
    """
    started = time.perf_counter()
    records = con.execute(f"select count(*) from {table}").fetchall()[0][0]
    if records < 2:
        raise ValueError("At least two source records are needed to train a linkage model.")
    db_api = DuckDBAPI(con)
    linker = Linker(db_api.register(table), settings(), log_level=logging.ERROR)
    steps = []
    progress("Training", 0, 4)
    linker.training.estimate_probability_two_random_records_match(_deterministic_rules(), recall=0.75)
    steps.append("prior from deterministic identifier and exact name-and-date rules (recall 0.75)")
    progress("Training", 1, 4)
    linker.training.estimate_u_using_random_sampling(max_pairs=u_max_pairs, seed=seed)
    steps.append(f"u by random sampling of up to {u_max_pairs:,.0f} pairs (seed {seed})")
    progress("Training", 1, 4)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("dob"), max_pairs=em_max_pairs, estimate_without_term_frequencies=True
    )
    steps.append("m by EM on pairs with the same date of birth")
    progress("Training", 1, 4)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("family_name", "given_canonical"),
        max_pairs=em_max_pairs,
        estimate_without_term_frequencies=True,
    )
    steps.append("m by EM on pairs with the same names")
    progress("Training", 1, 4)
    model = linker.misc.save_model_to_json()
    _describe(model)
    _fill_unobserved_u(model, records)
    return TrainingReport(
        model=model, records=int(records), seconds=time.perf_counter() - started, steps=steps
    )


# -- linking -----------------------------------------------------------------------------------------


@dataclass
class Conflict:
    """A cluster the model would have formed but whose records conflict: a person must look at it."""

    records: list[int]
    reasons: list[str]
    kept_together: list[list[int]]  # the groups linked at the strictest threshold free of conflict


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


# Pairs of records in one cluster that cannot be one person: different national identifiers, a
# pair a reviewer kept apart, or (twins) the same date of birth and last name with two different,
# real first names. A typing slip makes a rare string, so a first name counts as real when it is a
# known first name or at least `common` records carry it.
CONFLICTING_PAIRS_SQL = """
create or replace table __iom_conflicting_pairs as
with members as (
    -- Every record with its cluster. A cluster of one never passes the tests below (its minimum
    -- is its maximum), so singletons need no filtering out: at 100,000 records nine in ten records
    -- are in clusters of two or more anyway, and a window count to drop the rest cost more than it saved.
    select c.cluster_id, r.unique_id, r.given_name, r.family_name, r.given_canonical, r.dob,
        r.pnc, r.cro, r.nomis, r.nhs
    from __iom_clusters c join {records} r on r.unique_id = c.unique_id
),
suspect as (
    -- Clusters that may hold a conflict, found by aggregates rather than by comparing every pair:
    -- two values of one identifier, two first names on one date of birth and last name, or a
    -- pair a reviewer kept apart. (Two plain aggregates measured faster than one pass grouping
    -- by date of birth and last name then by cluster.)
    select cluster_id from members group by cluster_id
    having min(pnc) <> max(pnc) or min(cro) <> max(cro) or min(nomis) <> max(nomis) or min(nhs) <> max(nhs)
    union
    select cluster_id from members where dob is not null and family_name is not null
    group by cluster_id, dob, family_name having min(given_canonical) <> max(given_canonical)
    union
    select a.cluster_id from {cannot_link} k
    join members a on a.unique_id = k.unique_id_l
    join members b on b.unique_id = k.unique_id_r and b.cluster_id = a.cluster_id
),
named as (
    select m.*,
        coalesce(m.given_name in (select name from __iom_known_names), false)
            or coalesce(c.n >= {common}, false) as has_real_name
    from members m
    left join (select given_name, count(*) as n from {records} group by given_name) c
        on c.given_name = m.given_name
    where m.cluster_id in (select cluster_id from suspect)
),
pairs as (
    select a.cluster_id, a.unique_id as unique_id_l, b.unique_id as unique_id_r,
        {identifier_reasons},
        case when a.dob = b.dob and a.family_name = b.family_name
              and a.has_real_name and b.has_real_name
              and damerau_levenshtein(a.given_canonical, b.given_canonical) > 2
              and jaro_winkler_similarity(a.given_canonical, b.given_canonical) < 0.8
             then 'possible twins: same date of birth and last name, different first names' end as twins,
        case when k.unique_id_l is not null then 'records a reviewer kept apart are linked again' end as kept_apart
    from named a
    join named b on a.cluster_id = b.cluster_id and a.unique_id < b.unique_id
    left join {cannot_link} k on k.unique_id_l = a.unique_id and k.unique_id_r = b.unique_id
)
select cluster_id, unique_id_l, unique_id_r,
    list_filter([{reason_columns}, twins, kept_apart], lambda x: x is not null) as reasons
from pairs
where coalesce({reason_columns}, twins, kept_apart) is not null
"""


def find_conflicting_pairs(
    con: duckdb.DuckDBPyConnection, records: str, *, cannot_link: str, common: int
) -> str:
    """Fill `__iom_conflicting_pairs` (cluster_id, unique_id_l, unique_id_r, reasons) from the
    clusters in `__iom_clusters`, in one SQL statement; `cannot_link` holds pairs kept apart."""
    con.execute(
        CONFLICTING_PAIRS_SQL.format(
            records=records,
            cannot_link=cannot_link,
            common=int(common),
            identifier_reasons=",\n        ".join(
                f"case when a.{s} <> b.{s} then 'two different {IDENTIFIER_LABELS[s]}' end as clash_{s}"
                for s in IDENTIFIER_SCHEMES
            ),
            reason_columns=", ".join(f"clash_{s}" for s in IDENTIFIER_SCHEMES),
        )
    )
    return "__iom_conflicting_pairs"


# Thresholds tried, strictest last, to split a conflicting cluster into groups that do not conflict.
# The last, 1.0, keeps only pairs that must link (records already one person, reviewers' rulings):
# linkage never splits what people joined, so if even those conflict the cluster stays as it is.
_STRICTER = (0.999, 0.9999, 0.99999, 0.999999, 0.9999999, 0.99999999, 1.0)


def _components(nodes: Iterable[int], edges: Iterable[tuple[int, int]]) -> list[list[int]]:
    parent = {node: node for node in nodes}

    def root(node: int) -> int:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for a, b in edges:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, list[int]] = {}
    for node in parent:
        groups.setdefault(root(node), []).append(node)
    return sorted(sorted(group) for group in groups.values())


def _resolve_conflicts(con: duckdb.DuckDBPyConnection, upper: float) -> list[Conflict]:
    """Each conflicting cluster, re-cut in `__iom_clusters`: the groups left when only edges above
    the strictest threshold that removes every conflict are kept (singletons if none does).

    Only the conflicting clusters' edges come into Python (a few hundred clusters at 100,000
    records); every other record's cluster stays in DuckDB.
    """
    rows = con.sql(
        "select cluster_id, unique_id_l, unique_id_r, reasons from __iom_conflicting_pairs"
    ).fetchall()
    if not rows:
        return []
    bad_pairs: dict[Any, set[tuple[int, int]]] = {}
    reasons: dict[Any, set[str]] = {}
    for cluster_id, left, right, why in rows:
        bad_pairs.setdefault(cluster_id, set()).add((left, right))
        reasons.setdefault(cluster_id, set()).update(why)
    # A cluster of two or more is a connected component of the edges, so its edges name every member.
    members: dict[Any, set[int]] = {}
    edges: dict[Any, list[tuple[int, int, float]]] = {}
    for cluster_id, left, right, probability in con.sql(
        """
        select c.cluster_id, e.unique_id_l, e.unique_id_r, e.match_probability
        from __iom_edges e join __iom_clusters c on c.unique_id = e.unique_id_l
        where c.cluster_id in (select distinct cluster_id from __iom_conflicting_pairs)
        """
    ).fetchall():
        edges.setdefault(cluster_id, []).append((left, right, probability))
        members.setdefault(cluster_id, set()).update((left, right))

    conflicts, reassigned = [], {}
    for cluster_id in sorted(members, key=lambda cid: min(members[cid])):
        nodes = sorted(members[cluster_id])
        for threshold in (upper, *[t for t in _STRICTER if t > upper]):
            groups = _components(nodes, [(a, b) for a, b, p in edges[cluster_id] if p >= threshold])
            group_of = {node: i for i, group in enumerate(groups) for node in group}
            if not any(group_of[a] == group_of[b] for a, b in bad_pairs[cluster_id]):
                break
        for group in groups:
            for node in group:
                reassigned[node] = group[0]
        conflicts.append(Conflict(records=nodes, reasons=sorted(reasons[cluster_id]), kept_together=groups))
    schema = pa.schema([("unique_id", pa.int64()), ("cluster_id", pa.int64())])
    con.register(
        "__iom_recut",
        pa.table({"unique_id": list(reassigned), "cluster_id": list(reassigned.values())}, schema=schema),
    )
    con.execute(
        "update __iom_clusters set cluster_id = r.cluster_id from __iom_recut r "
        "where __iom_clusters.unique_id = r.unique_id"
    )
    con.unregister("__iom_recut")
    return conflicts


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
    progress: Progress = _no_progress,
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
        predictions = _predict_on_spark(con, table, model, thresholds.lower)
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
    conflicts = _resolve_conflicts(con, thresholds.upper)
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
        _register_counted_frequencies(
            linker, con, model, term_frequencies or {}, total_records or len(candidates) + 1
        )
        scored = linker.inference.predict_between(
            existing, arriving, threshold_match_probability=thresholds.lower, warning_mode="never"
        )
        rows = scored.as_record_list()
    finally:
        con.close()
    return sorted(rows, key=lambda row: -row["match_probability"])


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


def _register_counted_frequencies(
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
        name = _term_frequency_table(con, table, model, column)
        linker.table_management.register_term_frequency_lookup(linker._db_api.register(name), column)


def _term_frequency_table(
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


# -- explanation --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    """One comparison's contribution to a match weight, in words a reviewer can weigh."""

    comparison: str
    finding: str
    weight: float

    @property
    def strength(self) -> str:
        size = abs(self.weight)
        if size < 0.5:
            return "no real evidence either way"
        kind = "for" if self.weight > 0 else "against"
        if size >= 6:
            return f"strong evidence {kind} a match"
        if size >= 2:
            return f"moderate evidence {kind} a match"
        return f"weak evidence {kind} a match"

    @property
    def sentence(self) -> str:
        return f"{self.finding}: {self.strength} ({self.weight:+.1f})"


def explain(model: dict[str, Any], weights: dict[str, float]) -> list[Evidence]:
    """Turn a pair's per-comparison match weights (the mw_ columns) into plain-words evidence.

    Splink reports each comparison's weight; the level it came from is the one whose trained
    weight it equals, which gives the words ("Dates of birth match exactly"). Strongest first.
    """
    evidence = []
    for comparison in model["comparisons"]:
        name = comparison["output_column_name"]
        weight = weights.get(f"mw_{name}")
        if weight is None:
            continue
        description = DESCRIPTIONS.get(name, comparison.get("comparison_description", name))
        levels = [level for level in comparison["comparison_levels"] if not level.get("is_null_level")]
        scored = [(abs(_level_weight(level) - weight), level) for level in levels]
        distance, level = min(scored, key=lambda item: item[0]) if scored else (1.0, None)
        if level is None or (weight == 0 and distance > 1e-6):
            evidence.append(Evidence(description, _null_label(comparison), 0.0))
        else:
            evidence.append(Evidence(description, level.get("label_for_charts", ""), float(weight)))
    return sorted(evidence, key=lambda e: -abs(e.weight))


def _level_weight(level: dict[str, Any]) -> float:
    m, u = level.get("m_probability"), level.get("u_probability")
    return math.log2(m / u) if m and u else 0.0


def _null_label(comparison: dict[str, Any]) -> str:
    for level in comparison["comparison_levels"]:
        if level.get("is_null_level"):
            label = level.get("label_for_charts", "")
            return label[0].upper() + label[1:] if label else "Missing from one record"
    return "Missing from one record"


def prior_weight(model: dict[str, Any]) -> float:
    p = model.get("probability_two_random_records_match", 1e-5)
    return math.log2(p / (1 - p))


def model_summary(model: dict[str, Any]) -> list[dict[str, Any]]:
    """Each comparison level with its m, u and weight: what the admin page shows of a trained model."""
    rows = []
    for comparison in model.get("comparisons", []):
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            m, u = level.get("m_probability"), level.get("u_probability")
            rows.append(
                {
                    "comparison": comparison.get(
                        "comparison_description", comparison.get("output_column_name")
                    ),
                    "level": level.get("label_for_charts", level.get("sql_condition")),
                    "m": m,
                    "u": u,
                    "weight": math.log2(m / u) if m and u else None,
                }
            )
    return rows


# -- Spark -------------------------------------------------------------------------------------------


def spark_session(app_name: str = "iomshare-linkage"):
    """A local Spark session with Splink's similarity functions registered (the path past one machine)."""
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    session = (
        SparkSession.builder.master("local[2]")
        .appName(app_name)
        .config("spark.jars", similarity_jar_location())
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", "2g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    # Splink breaks long query plans by checkpointing: give Spark somewhere to write them.
    session.sparkContext.setCheckpointDir(tempfile.mkdtemp(prefix="iomshare-spark-"))
    return session


def model_for_dialect(model: dict[str, Any], sql_dialect: str) -> dict[str, Any]:
    """The trained model re-expressed in another SQL dialect: same levels, same m and u, same prior."""
    fresh = settings().create_settings_dict(sql_dialect)
    for target, trained in zip(fresh["comparisons"], model["comparisons"], strict=True):
        for level, trained_level in zip(
            target["comparison_levels"], trained["comparison_levels"], strict=True
        ):
            for key in ("m_probability", "u_probability"):
                if key in trained_level:
                    level[key] = trained_level[key]
    fresh["probability_two_random_records_match"] = model["probability_two_random_records_match"]
    _describe(fresh)
    return fresh


def _predict_on_spark(con: duckdb.DuckDBPyConnection, table: str, model: dict[str, Any], lower: float) -> str:
    """Score pairs on Spark with the same model, and bring the scored pairs back for clustering."""
    from splink import SparkAPI

    spark = spark_session()
    frame = spark.createDataFrame(con.sql(f"select * from {table}").to_arrow_table())
    spark_api = SparkAPI(spark_session=spark, break_lineage_method="persist")
    linker = Linker(spark_api.register(frame), model_for_dialect(model, "spark"), log_level=logging.ERROR)
    # The same smoothed term frequencies as DuckDB uses, so both engines score alike.
    for column in TERM_FREQUENCY_COLUMNS:
        name = _term_frequency_table(con, table, model, column)
        lookup = spark_api.register(spark.createDataFrame(con.sql(f"select * from {name}").to_arrow_table()))
        linker.table_management.register_term_frequency_lookup(lookup, column)
    predicted = linker.inference.predict(threshold_match_probability=lower, warning_mode="never")
    rows = predicted.as_spark_dataframe().toArrow()
    con.register("__iom_spark_rows", rows)
    con.execute("create or replace table __iom_spark_predictions as select * from __iom_spark_rows")
    con.unregister("__iom_spark_rows")
    return "__iom_spark_predictions"
