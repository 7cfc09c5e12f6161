"""The conflict check runs as one SQL statement that skips clusters whose aggregates rule a conflict
out; these tests hold it to the rule applied pair by pair, the slow obvious way."""

# SQL here is built from the test's own table names and expressions, never from input.
# ruff: noqa: S608

import itertools

import pyarrow as pa
import pytest

from iomshare.demo.source_records import generate
from iomshare.identity import linkage
from iomshare.identity.linkage.conflicts import resolve_conflicts
from tests.identity.conftest import raw_rows

COMMON = 3


def _brute_force(con, records: str, kept_apart: set[tuple[int, int]]) -> dict[tuple[int, int], set[str]]:
    """Every pair in every cluster, each checked against the rule written out in Python."""
    columns = "unique_id, given_name, family_name, given_canonical, dob, sex, pnc, cro, nomis, nhs"
    rows = {
        row[0]: dict(zip(columns.split(", "), row, strict=True))
        for row in con.sql(f"select {columns} from {records}").fetchall()
    }
    name_counts: dict[str, int] = {}
    for row in rows.values():
        if row["given_name"] is not None:
            name_counts[row["given_name"]] = name_counts.get(row["given_name"], 0) + 1
    known = {name for (name,) in con.sql("select name from __iom_known_names").fetchall()}

    def real(row) -> bool:
        return row["given_name"] in known or name_counts.get(row["given_name"], 0) >= COMMON

    clusters: dict[int, list[int]] = {}
    for unique_id, cluster_id in con.sql("select unique_id, cluster_id from __iom_clusters").fetchall():
        clusters.setdefault(cluster_id, []).append(unique_id)
    found = {}
    for members in clusters.values():
        for left, right in itertools.combinations(sorted(members), 2):
            a, b = rows[left], rows[right]
            reasons = {
                f"two different {linkage.IDENTIFIER_LABELS[scheme]}"
                for scheme in linkage.IDENTIFIER_SCHEMES
                if a[scheme] is not None and b[scheme] is not None and a[scheme] != b[scheme]
            }
            if (
                a["dob"] is not None
                and a["dob"] == b["dob"]
                and a["family_name"] is not None
                and a["family_name"] == b["family_name"]
                and real(a)
                and real(b)
            ):
                distance, similarity = con.execute(
                    "select damerau_levenshtein($1, $2), jaro_winkler_similarity($1, $2)",
                    [a["given_canonical"], b["given_canonical"]],
                ).fetchone()
                if distance > 2 and similarity < 0.8:
                    reasons.add("possible twins: same date of birth and last name, different first names")
            if (
                a["dob"] is not None
                and a["dob"] == b["dob"]
                and a["family_name"] is not None
                and a["family_name"] == b["family_name"]
                and a["sex"] is not None
                and b["sex"] is not None
                and a["sex"] != b["sex"]
                and a["given_canonical"] is not None
                and b["given_canonical"] is not None
                and a["given_canonical"] != b["given_canonical"]
            ):
                reasons.add("possible twins: same date of birth and last name, different sex and first names")
            if (left, right) in kept_apart:
                reasons.add("records a reviewer kept apart are linked again")
            if reasons:
                found[(left, right)] = reasons
    return found


@pytest.fixture(scope="module")
def prepared():
    con = linkage.connect(threads=2)
    table = linkage.prepare(con, linkage.raw_table(raw_rows(generate(3000, seed=7))))
    yield con, table
    con.close()


@pytest.mark.parametrize(
    "clustering",
    [
        # Everyone born the same day with the same last name in one cluster: twins, brothers and
        # identifier clashes galore, far more than linkage would ever put together.
        "dense_rank() over (order by dob, family_name)",
        # Everyone with the same year of birth and first letter of last name: large mixed clusters.
        "dense_rank() over (order by birth_year, substr(family_name, 1, 1))",
    ],
)
def test_the_one_pass_conflict_check_finds_exactly_the_pairs_the_rule_names(prepared, clustering):
    con, table = prepared
    con.execute(
        f"create or replace table __iom_clusters as select unique_id, {clustering} as cluster_id from {table}"
    )
    kept_apart = {
        tuple(pair)
        for pair in con.sql(
            "select min(unique_id), max(unique_id) from __iom_clusters group by cluster_id "
            "having count(*) > 1 order by cluster_id limit 25"
        ).fetchall()
    }
    con.register(
        "__test_kept_apart",
        pa.table(
            {"unique_id_l": [a for a, _ in kept_apart], "unique_id_r": [b for _, b in kept_apart]},
            schema=pa.schema([("unique_id_l", pa.int64()), ("unique_id_r", pa.int64())]),
        ),
    )
    linkage.find_conflicting_pairs(con, table, cannot_link="__test_kept_apart", common=COMMON)
    in_sql = {
        (left, right): set(reasons)
        for left, right, reasons in con.sql(
            "select unique_id_l, unique_id_r, reasons from __iom_conflicting_pairs"
        ).fetchall()
    }
    expected = _brute_force(con, table, kept_apart)
    reasons = set().union(*expected.values())
    assert any("twins" in reason for reason in reasons)
    assert any("different" in reason and "twins" not in reason for reason in reasons)
    assert "records a reviewer kept apart are linked again" in reasons
    assert "possible twins: same date of birth and last name, different sex and first names" in reasons
    assert in_sql == expected


def test_a_kept_apart_pair_that_meets_again_through_a_third_record_is_a_conflict(trained_model):
    same = {"given_name": "Jordan", "family_name": "Whitlock", "date_of_birth": "1990-05-17", "sex": "M"}
    con = linkage.connect(threads=1)
    table = linkage.prepare(
        con,
        linkage.raw_table(
            [
                {"unique_id": 1, **same, "postcode": "LS1 4AP"},
                {"unique_id": 2, **same, "postcode": "LS1 4AP"},
                {"unique_id": 3, **same, "postcode": "LS1 4AP"},
                {"unique_id": 4, "given_name": "Aisha", "family_name": "Khan", "date_of_birth": "1985-01-02"},
            ]
        ),
    )
    result = linkage.link(con, table, trained_model, cannot_link=[(3, 1)])
    con.close()
    [conflict] = result.conflicts
    assert conflict.records == [1, 2, 3]
    assert conflict.reasons == ["records a reviewer kept apart are linked again"]
    assert result.clusters[1] != result.clusters[3]
    assert result.clusters[4] not in {result.clusters[1], result.clusters[2], result.clusters[3]}


def test_twins_of_each_sex_with_alike_names_are_a_conflict_not_one_person(trained_model):
    """Victor and Victoria share a birthday, a last name and a home: the model all but links them, and
    their names are too alike for the different-first-names rule; different sex as well tells them apart."""
    home = {"family_name": "Heathston", "date_of_birth": "1976-06-06", "postcode": "HX14 4PL"}
    con = linkage.connect(threads=1)
    table = linkage.prepare(
        con,
        linkage.raw_table(
            [
                {"unique_id": 1, "given_name": "Victor", "sex": "M", **home},
                {"unique_id": 2, "given_name": "Victor", "sex": "M", **home},
                {"unique_id": 3, "given_name": "Victoria", "sex": "F", **home},
            ]
        ),
    )
    result = linkage.link(con, table, trained_model)
    con.close()
    [conflict] = result.conflicts
    assert conflict.reasons == [
        "possible twins: same date of birth and last name, different sex and first names"
    ]
    assert result.clusters[1] == result.clusters[2] != result.clusters[3]


def test_a_record_that_fits_both_sides_of_a_conflict_is_left_to_a_person():
    """Twins' records (1, 2 and 3, 4) match in every field but the first name; record 5 has no first
    name and fits both, one a shade better. Cutting at the threshold that parts the twins would hand
    it to the stronger side, a guess: it stands alone instead, and the conflict shows it."""
    con = linkage.connect(threads=1)
    edges = [(1, 2, 0.9999999), (3, 4, 0.9999999), (1, 5, 0.999995), (3, 5, 0.99997), (1, 3, 0.9997)]
    con.register(
        "__test_edges",
        pa.table(
            {
                "unique_id_l": [a for a, _, _ in edges],
                "unique_id_r": [b for _, b, _ in edges],
                "match_probability": [p for _, _, p in edges],
            }
        ),
    )
    con.execute("create table __iom_edges as select * from __test_edges")
    con.execute("create table __iom_clusters as select range + 1 as unique_id, 1 as cluster_id from range(5)")
    twins = ["possible twins: same date of birth and last name, different first names"]
    con.register(
        "__test_conflicts",
        pa.table(
            {
                "cluster_id": [1] * 4,
                "unique_id_l": [1, 1, 2, 2],
                "unique_id_r": [3, 4, 3, 4],
                "reasons": [twins] * 4,
            }
        ),
    )
    con.execute("create table __iom_conflicting_pairs as select * from __test_conflicts")
    [conflict] = resolve_conflicts(con, upper=0.95)
    clusters = dict(con.sql("select unique_id, cluster_id from __iom_clusters").fetchall())
    con.close()
    assert conflict.kept_together == [[1, 2], [3, 4], [5]]
    assert clusters == {1: 1, 2: 1, 3: 3, 4: 3, 5: 5}
