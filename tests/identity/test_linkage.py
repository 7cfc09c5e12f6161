"""The linkage model on synthetic data: accuracy against the generator's truth, explanations, blocking."""

import itertools

import duckdb
import pytest

from iomshare.demo.source_records import generate
from iomshare.identity import linkage
from tests.identity.conftest import raw_rows


def _pairs(assignment: dict[int, int]) -> set[tuple[int, int]]:
    groups: dict[int, list[int]] = {}
    for record, group in assignment.items():
        groups.setdefault(group, []).append(record)
    return {pair for members in groups.values() for pair in itertools.combinations(sorted(members), 2)}


@pytest.fixture(scope="module")
def linked(trained_model):
    records = generate(4000, seed=2024)
    con = linkage.connect(threads=2)
    table = linkage.prepare(con, linkage.raw_table(raw_rows(records)))
    result = linkage.link(con, table, trained_model)
    con.close()
    return records, result


def test_linkage_finds_the_generators_people_with_f1_above_095(linked):
    records, result = linked
    truth = _pairs({i: r.person_key for i, r in enumerate(records)})
    found = _pairs(result.clusters)
    precision = len(truth & found) / len(found)
    recall = len(truth & found) / len(truth)
    f1 = 2 * precision * recall / (precision + recall)
    assert f1 >= 0.95, (precision, recall)
    assert precision >= 0.99


def test_blocking_keeps_the_number_of_pairs_scored_near_the_number_of_records(linked):
    records, result = linked
    assert result.pairs_scored < 3 * len(records)


def test_uncertain_pairs_are_between_the_thresholds_and_in_different_clusters(linked):
    _records, result = linked
    assert result.review_pairs
    for row in result.review_pairs:
        assert linkage.DEFAULT_LOWER <= row["match_probability"] < linkage.DEFAULT_UPPER
        assert result.clusters[row["unique_id_l"]] != result.clusters[row["unique_id_r"]]


def test_match_weights_are_explained_in_plain_words(trained_model):
    matches = linkage.match_new(
        trained_model,
        {
            "unique_id": 2,
            "given_name": "Bob",
            "family_name": "Marley",
            "date_of_birth": None,
            "postcode": "LS1 4AP",
        },
        [
            {
                "unique_id": 1,
                "given_name": "ROBERT",
                "family_name": "MARLEY",
                "date_of_birth": None,
                "postcode": "LS1 4AP",
            }
        ],
        thresholds=linkage.Thresholds(lower=0.001, upper=0.5),
    )
    sentences = [e.sentence for e in linkage.explain(trained_model, matches[0])]
    assert any(
        s.startswith("First names match (nicknames allowed for") and "evidence for a match (+" in s
        for s in sentences
    )
    assert any(s.startswith("Postcodes match exactly: strong evidence for a match") for s in sentences)
    assert any(
        s.startswith("A date of birth is missing from one record: no real evidence") for s in sentences
    )


def test_two_different_nhs_numbers_is_strong_evidence_against(trained_model):
    base = {
        "given_name": "Ann",
        "family_name": "Tarrant",
        "date_of_birth": "1990-01-02",
        "postcode": "LS1 4AP",
    }
    same = linkage.match_new(
        trained_model,
        {"unique_id": 2, **base, "nhs": "9990000018"},
        [{"unique_id": 1, **base, "nhs": "9990000026"}],
        thresholds=linkage.Thresholds(lower=1e-9, upper=0.5),
    )
    evidence = {e.comparison: e for e in linkage.explain(trained_model, same[0])}
    assert evidence["NHS numbers"].weight < -6
    assert evidence["NHS numbers"].strength == "strong evidence against a match"


def test_a_new_record_is_matched_against_existing_ones_without_retraining(trained_model):
    existing = raw_rows(generate(2000, seed=31))
    newcomer = dict(existing[10], unique_id=10_000, given_name=existing[10]["given_name"] + "e")
    linkage.match_new(trained_model, newcomer, existing[:50])  # warm the imports
    # Its 1 s target is measured in bench/identity_bench.py, never here (speed is a benchmark's job).
    matches = linkage.match_new(trained_model, newcomer, existing)
    assert matches[0]["unique_id_l"] == 10 and matches[0]["match_probability"] > 0.9


def test_python_name_keys_clean_names_exactly_as_the_linkage_sql_does():
    con = linkage.connect()
    names = ["O'Brien", "smith-jones", " Mary Ann ", "BOB", "Jean-Luc", "  ", "Żaneta"]
    rows = [{"unique_id": i, "given_name": n, "family_name": n} for i, n in enumerate(names)]
    linkage.prepare(con, linkage.raw_table(rows))
    for unique_id, given, family, canonical in con.sql(
        "select unique_id, given_name, family_name, given_canonical from iom_records order by unique_id"
    ).fetchall():
        assert linkage.clean_given(names[unique_id]) == given
        assert linkage.clean_family(names[unique_id]) == family
        assert linkage.canonical_given(names[unique_id]) == canonical
    con.close()


def test_an_unknown_engine_is_refused(trained_model):
    con = duckdb.connect()
    with pytest.raises(ValueError, match="Unknown linkage engine"):
        linkage.link(con, "nothing", trained_model, engine="oracle")


def test_term_frequencies_are_computed_whatever_digits_the_trained_u_has(trained_model):
    import copy

    model = copy.deepcopy(trained_model)
    for comparison in model["comparisons"]:
        for level in comparison["comparison_levels"]:
            if level.get("tf_adjustment_column"):
                level["u_probability"] = (
                    0.06341463414634146  # DuckDB read this literal as DECIMAL(17) and overflowed
                )
    con = linkage.connect(threads=1)
    table = linkage.prepare(
        con,
        linkage.raw_table(
            [{"unique_id": 1, "family_name": "Smith", "given_name": "Ann", "postcode": "LS1 4AP"}]
        ),
    )
    linker = linkage.linker_for(con, table, model)
    linkage.register_term_frequencies(linker, con, table, model)
    (frequency,) = con.execute("select tf_family_name from __iom_tf_family_name").fetchall()[0]
    assert frequency == pytest.approx(
        (1 + linkage.TF_PSEUDO_RECORDS * 0.06341463414634146) / (1 + linkage.TF_PSEUDO_RECORDS)
    )
    con.close()


def test_names_written_the_wrong_way_round_are_weighed_once_not_twice(trained_model):
    """Two IAN BROWNs born months apart and living apart, one written BROWN IAN: the swap is one fact.
    Counted under first names as well as last names it outscored an exact match and linked them."""
    existing = [
        {
            "unique_id": 1,
            "given_name": "Ian",
            "family_name": "Brown",
            "date_of_birth": "1968-05-08",
            "sex": "M",
            "postcode": "WF23 3ZW",
        },
        {
            "unique_id": 3,
            "given_name": "Ian",
            "family_name": "Brown",
            "date_of_birth": "1968-09-03",
            "sex": "M",
            "postcode": "WF20 3SB",
        },
    ]
    swapped = {
        "unique_id": 2,
        "given_name": "Brown",
        "family_name": "Ian",
        "date_of_birth": "1968-09-03",
        "sex": "M",
        "postcode": "WF20 3SB",
    }
    scores = {
        row["unique_id_l"]: row["match_probability"]
        for row in linkage.match_new(trained_model, swapped, existing)
    }
    assert scores.get(1, 0.0) < linkage.DEFAULT_UPPER
    # The same person written both ways round, same birthday and home, still links.
    assert scores[3] >= linkage.DEFAULT_UPPER


def test_a_missing_first_name_is_explained_as_missing_and_a_swap_as_a_swap(trained_model):
    """Both weigh (next to) nothing under first names, yet a reviewer must read which it was."""
    existing = [
        {"unique_id": 1, "given_name": "Ian", "family_name": "Brown", "date_of_birth": "1968-09-03"},
        {"unique_id": 3, "given_name": None, "family_name": "Brown", "date_of_birth": "1968-09-03"},
    ]
    swapped = {"unique_id": 2, "given_name": "Brown", "family_name": "Ian", "date_of_birth": "1968-09-03"}
    findings = {
        row["unique_id_l"]: {e.comparison: e.finding for e in linkage.explain(trained_model, row)}
        for row in linkage.match_new(
            trained_model, swapped, existing, thresholds=linkage.Thresholds(lower=1e-9, upper=0.5)
        )
    }
    assert findings[1]["First names"].startswith("First name given as the last name")
    assert findings[3]["First names"] == "A first name is missing from one record"
