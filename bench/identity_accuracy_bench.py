"""Identity accuracy on extract-like data: iomshare's model against plain Splink given the same fields.

The generator writes records with the errors of real extracts (several per duplicate, impossible
dates, addresses in several formats, second given names; `generator.EXTRACT_RATES`), in three
agency mixes: no agency sends UK identifiers; only police, probation and prison do; every agency
sends those it usually holds. For each:
  iomshare  - records checked as on arrival (impossible dates kept out), cleaned, trained by EM, linked
  splink    - plain Splink 5 with a sensible model from its own library (NameComparison on first and
              last name, DateOfBirthComparison, PostcodeComparison, address words, sex, identifiers),
              trained the same way, clustered at 0.95, with blocking rules of its own on the same
              fields (date of birth; names; name prefix with postcode; identifiers)
Figures: pairwise and cluster precision, recall and F1; recall of the blocking rules; pairs scored;
precision of automatic links at each upper threshold (the evidence for the thresholds), by agency mix.

    python bench/identity_accuracy_bench.py                 # 10,000 records, every agency mix
    python bench/identity_accuracy_bench.py 20000 identifiers   # one mix (by the start of its name)
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import sys
import time

import pyarrow as pa

SEED = 2027
THRESHOLDS = (0.9, 0.95, 0.99, 0.995, 0.999, 0.9999)


def _records(count: int, national):
    # iomshare.demo's package imports Django models, so Django is set up first.
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iomshare.settings")
    django.setup()
    from iomshare.demo.source_records import EXTRACT_RATES, generate

    return generate(count, seed=SEED, rates=EXTRACT_RATES, national_identifiers=national)


def _rows(records) -> list[dict]:
    from iomshare.identity.linkage import IDENTIFIER_SCHEMES

    rows = []
    for i, r in enumerate(records):
        rows.append(
            {
                "unique_id": i,
                "given_name": r.given_name,
                "family_name": r.family_name,
                "date_of_birth": r.date_of_birth,  # None when the extract's date was impossible
                "sex": r.sex,
                "postcode": r.postcode,
                "address": r.address,
                **{scheme: r.identifiers.get(scheme) for scheme in IDENTIFIER_SCHEMES},
                "other_ids": None,
            }
        )
    return rows


PAIRWISE_SQL = """
with j as (select c.cluster_id, t.person_key, t.agency from {clusters} c join bench_truth t using (unique_id))
select
  (select sum(n * (n - 1) / 2) from (select count(*) n from j group by cluster_id, person_key)),
  (select sum(n * (n - 1) / 2) from (select count(*) n from j group by cluster_id)),
  (select sum(n * (n - 1) / 2) from (select count(*) n from bench_truth group by person_key)),
  -- cluster measures: a true person found exactly (same members) counts once
  (select count(*) from (
      select person_key, min(cluster_id) c, max(cluster_id) d, count(*) n from j group by person_key
  ) p join (select cluster_id, count(*) n from j group by cluster_id) q on q.cluster_id = p.c and p.c = p.d and q.n = p.n),
  (select count(distinct cluster_id) from j),
  (select count(distinct person_key) from j)
"""


def _scores(con, clusters: str) -> dict[str, float]:
    tp, predicted, truth, exact, clusters_n, people = con.execute(
        PAIRWISE_SQL.format(clusters=clusters)
    ).fetchall()[0]
    p, r = tp / max(predicted, 1), tp / truth
    cp, cr = exact / clusters_n, exact / people
    return {
        "precision": p,
        "recall": r,
        "f1": 2 * p * r / (p + r) if p + r else 0.0,
        "cluster_precision": cp,
        "cluster_recall": cr,
        "cluster_f1": 2 * cp * cr / (cp + cr) if cp + cr else 0.0,
    }


def _blocking_recall(con, table: str, rules) -> float:
    conditions = " or ".join(f"({rule.get_blocking_rule('duckdb').blocking_rule_sql})" for rule in rules)
    covered, truth = con.execute(
        f"""select
          (select count(*) from {table} l join bench_truth a on a.unique_id = l.unique_id
             join bench_truth b on b.person_key = a.person_key and b.unique_id > a.unique_id
             join {table} r on r.unique_id = b.unique_id where coalesce({conditions}, false)),
          (select sum(n * (n - 1) / 2) from (select count(*) n from bench_truth group by person_key))"""
    ).fetchall()[0]
    return covered / truth


def _threshold_evidence(con, predictions: str) -> list[dict]:
    """Precision of the pairs at or above each threshold: what the upper threshold is chosen from."""
    rows = []
    for threshold in THRESHOLDS:
        n, true = con.execute(
            f"""select count(*), coalesce(sum(case when a.person_key = b.person_key then 1 else 0 end), 0)
            from {predictions} p join bench_truth a on a.unique_id = p.unique_id_l
            join bench_truth b on b.unique_id = p.unique_id_r where p.match_probability >= {threshold}"""
        ).fetchall()[0]
        rows.append({"threshold": threshold, "pairs": n, "precision": true / n if n else 1.0})
    return rows


FALSE_LINKS_SQL = """
select l.given_name, l.family_name, l.dob, l.postcode, l.address_key,
    r.given_name, r.family_name, r.dob, r.postcode, r.address_key
from iom_clusters cl join iom_clusters cr on cl.cluster_id = cr.cluster_id and cl.unique_id < cr.unique_id
join bench_truth a on a.unique_id = cl.unique_id join bench_truth b on b.unique_id = cr.unique_id
join {table} l on l.unique_id = cl.unique_id join {table} r on r.unique_id = cr.unique_id
where a.person_key <> b.person_key
order by l.family_name, l.unique_id, r.unique_id
limit {limit}
"""


def _false_links(con, table: str, limit: int = 12) -> list[tuple]:
    """Pairs linked automatically that are two people: what precision work starts from."""
    return con.execute(FALSE_LINKS_SQL.format(table=table, limit=limit)).fetchall()


def iomshare(con, rows) -> dict:
    from iomshare.identity import linkage
    from iomshare.identity.comparisons import blocking_rules

    table = linkage.prepare(con, linkage.raw_table(rows))
    started = time.perf_counter()
    report = linkage.train(con, table)
    trained = time.perf_counter() - started
    started = time.perf_counter()
    result = linkage.link(con, table, report.model)
    linked = time.perf_counter() - started
    con.register("bench_clusters_rows", result.cluster_table)
    con.execute("create or replace table iom_clusters as select * from bench_clusters_rows")
    by_upper = []
    for (
        upper
    ) in THRESHOLDS:  # the evidence for the upper threshold: automatic links' precision after conflicts
        trial = linkage.link(con, table, report.model, thresholds=linkage.Thresholds(0.5, upper))
        con.register("bench_trial_rows", trial.cluster_table)
        con.execute("create or replace table iom_trial as select * from bench_trial_rows")
        by_upper.append(
            {"threshold": upper, **_scores(con, "iom_trial"), "review_pairs": len(trial.review_pairs)}
        )
    linker = linkage.linker_for(con, table, report.model)
    linkage.register_term_frequencies(linker, con, table, report.model)
    predicted = linker.inference.predict(threshold_match_probability=0.5, warning_mode="never")
    return {
        "scores": _scores(con, "iom_clusters"),
        "blocking_recall": _blocking_recall(con, table, blocking_rules()),
        "pairs_scored": con.execute(f"select count(*) from {predicted.physical_name}").fetchall()[0][0],
        "thresholds": _threshold_evidence(con, predicted.physical_name),
        "by_upper": by_upper,
        "review_pairs": len(result.review_pairs),
        "conflicts": len(result.conflicts),
        "false_links": _false_links(con, table),
        "seconds": {"train": trained, "link": linked},
    }


def plain_splink(con, rows) -> dict:
    """Plain Splink, its library's comparisons on the same fields, trained and clustered the usual way."""
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    con.register("bench_plain_rows", pa.Table.from_pylist(rows))
    con.execute(
        """create or replace table plain as select unique_id,
          nullif(lower(split_part(trim(given_name), ' ', 1)), '') as first_name,
          nullif(lower(trim(family_name)), '') as surname,
          date_of_birth as dob, nullif(sex, '') as sex,
          nullif(upper(trim(postcode)), '') as postcode,
          case when coalesce(address, '') <> '' then string_split(regexp_replace(upper(address), '[^A-Z0-9]+', ' ', 'g'), ' ') end as address_words,
          pnc, cro, nomis, nhs
        from bench_plain_rows"""
    )
    rules = [
        block_on("dob"),
        block_on("surname", "first_name"),
        block_on("surname", "year(dob)"),
        block_on("substr(surname, 1, 3)", "first_name"),
        block_on("substr(surname, 1, 3)", "postcode"),
        block_on("first_name", "postcode"),
        block_on("pnc"),
        block_on("nhs"),
        block_on("nomis"),
    ]
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.NameComparison("first_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison("dob", input_is_string=False),
            cl.PostcodeComparison("postcode"),
            cl.ArrayIntersectAtSizes("address_words", [3, 1]),
            cl.ExactMatch("sex"),
            cl.ExactMatch("pnc"),
            cl.ExactMatch("cro"),
            cl.ExactMatch("nomis"),
            cl.ExactMatch("nhs"),
        ],
        blocking_rules_to_generate_predictions=rules,
        retain_intermediate_calculation_columns=False,
    )
    db_api = DuckDBAPI(con)
    linker = Linker(db_api.register("plain"), settings, log_level=logging.ERROR)
    started = time.perf_counter()
    linker.training.estimate_probability_two_random_records_match(
        ["l.first_name = r.first_name and l.surname = r.surname and l.dob = r.dob"], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("surname", "first_name"))
    trained = time.perf_counter() - started
    started = time.perf_counter()
    predicted = linker.inference.predict(threshold_match_probability=0.5, warning_mode="never")
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predicted, 0.95)
    linked = time.perf_counter() - started
    return {
        "scores": _scores(con, clusters.physical_name),
        "pairs_scored": con.execute(f"select count(*) from {predicted.physical_name}").fetchall()[0][0],
        "thresholds": _threshold_evidence(con, predicted.physical_name),
        "seconds": {"train": trained, "link": linked},
    }


def measure(count: int, national) -> dict:
    from iomshare.identity import linkage

    records = _records(count, national)
    rows = _rows(records)
    out = {}
    for name, run in (("iomshare", iomshare), ("splink", plain_splink)):
        con = linkage.connect(threads=2, memory_limit="3GB")
        con.register(
            "bench_truth_rows",
            pa.table(
                {
                    "unique_id": list(range(len(records))),
                    "person_key": [r.person_key for r in records],
                    "agency": [r.agency for r in records],
                }
            ),
        )
        con.execute("create table bench_truth as select * from bench_truth_rows")
        out[name] = run(con, rows)
        con.close()
    return out


def _print(label: str, figures: dict) -> None:
    for name, result in figures.items():
        s = result["scores"]
        print(
            f"{label:32s} {name:9s} pairwise P {s['precision']:.4f} R {s['recall']:.4f} F1 {s['f1']:.4f} | "
            f"cluster P {s['cluster_precision']:.4f} R {s['cluster_recall']:.4f} F1 {s['cluster_f1']:.4f} | "
            f"pairs scored {result['pairs_scored']:,} | train {result['seconds']['train']:.1f} s "
            f"link {result['seconds']['link']:.1f} s"
            + (f" | blocking recall {result['blocking_recall']:.4f}" if "blocking_recall" in result else "")
        )
        print(
            "    precision at or above: "
            + ", ".join(
                f"{t['threshold']}: {t['precision']:.4f} ({t['pairs']:,})" for t in result["thresholds"]
            )
        )
        for link in result.get("false_links", []):
            print(f"    false link: {link[:5]} ~ {link[5:]}")
        for row in result.get("by_upper", []):
            print(
                f"    linked at >= {row['threshold']}: pairwise P {row['precision']:.4f} R {row['recall']:.4f} "
                f"F1 {row['f1']:.4f}, cluster F1 {row['cluster_f1']:.4f}, review pairs {row['review_pairs']:,}"
            )


# Agency mixes: which agencies' extracts carry the UK identifiers they usually hold.
MIXES = {
    "without national identifiers": False,
    "identifiers from police, probation, prison only": ("police", "probation", "prison"),
    "with national identifiers": True,
}


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    mixes = [name for name in MIXES if len(sys.argv) <= 2 or name.startswith(sys.argv[2])]
    print(f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {count:,} records, seed {SEED}")
    for name in mixes:
        _print(name, measure(count, MIXES[name]))


if __name__ == "__main__":
    main()
