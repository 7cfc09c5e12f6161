"""Clusters whose records cannot be one person, found in SQL and re-cut at stricter thresholds."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa

from iomshare.identity.comparisons import IDENTIFIER_LABELS, IDENTIFIER_SCHEMES


@dataclass
class Conflict:
    """A cluster the model would have formed but whose records conflict: a person must look at it."""

    records: list[int]
    reasons: list[str]
    kept_together: list[list[int]]  # the groups linked at the strictest threshold free of conflict


# Pairs of records in one cluster that cannot be one person: different national identifiers, a
# pair a reviewer kept apart, or (twins) the same date of birth and last name with two different,
# real first names, or with different first names and sex recorded differently (Victor and
# Victoria: names too alike for the first rule). A typing slip makes a rare string, so a first name
# counts as real when it is a known first name or at least `common` records carry it.
CONFLICTING_PAIRS_SQL = """
create or replace table __iom_conflicting_pairs as
with members as (
    -- Every record with its cluster. A cluster of one never passes the tests below (its minimum
    -- is its maximum), so singletons need no filtering out: at 100,000 records nine in ten records
    -- are in clusters of two or more anyway, and a window count to drop the rest cost more than it saved.
    select c.cluster_id, r.unique_id, r.given_name, r.family_name, r.given_canonical, r.dob,
        r.sex, r.pnc, r.cro, r.nomis, r.nhs
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
        case when a.dob = b.dob and a.family_name = b.family_name
              and a.sex <> b.sex and a.given_canonical <> b.given_canonical
             then 'possible twins: same date of birth and last name, different sex and first names'
        end as twins_of_each_sex,
        case when k.unique_id_l is not null then 'records a reviewer kept apart are linked again' end as kept_apart
    from named a
    join named b on a.cluster_id = b.cluster_id and a.unique_id < b.unique_id
    left join {cannot_link} k on k.unique_id_l = a.unique_id and k.unique_id_r = b.unique_id
)
select cluster_id, unique_id_l, unique_id_r,
    list_filter([{reason_columns}, twins, twins_of_each_sex, kept_apart], lambda x: x is not null) as reasons
from pairs
where coalesce({reason_columns}, twins, twins_of_each_sex, kept_apart) is not null
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


def _without_undecided(
    nodes: list[int],
    edges: list[tuple[int, int, float]],
    groups: list[list[int]],
    bad_pairs: set[tuple[int, int]],
    threshold: float,
    upper: float,
) -> list[list[int]]:
    """`groups` with each record that bridged them set apart: one in no conflicting pair itself that
    also links (at or above `upper`) into another group.

    Such a record fits two people who cannot be one (a twin's record with no first name, the same
    in every other field as the other twin's): joining it to the stronger side would be a guess, so
    it stands alone and the conflict shows a person both. Pairs that must link stay linked.
    """
    group_of = {node: i for i, group in enumerate(groups) for node in group}
    in_conflict = {node for pair in bad_pairs for node in pair}
    undecided = {
        node
        for a, b, p in edges
        if p >= upper and group_of[a] != group_of[b]
        for node in (a, b)
        if node not in in_conflict
    }
    if not undecided:
        return groups
    kept = [
        (a, b)
        for a, b, p in edges
        if p >= 1.0 or (p >= threshold and a not in undecided and b not in undecided)
    ]
    return _components(nodes, kept)


def resolve_conflicts(con: duckdb.DuckDBPyConnection, upper: float) -> list[Conflict]:
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
        groups = _without_undecided(nodes, edges[cluster_id], groups, bad_pairs[cluster_id], threshold, upper)
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
