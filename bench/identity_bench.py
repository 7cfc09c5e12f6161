"""Identity resolution: accuracy against the generator's truth, time and peak memory, overhead over Splink.

For each size the generator writes N source records (with ground truth) to Parquet; then, each in a
fresh process so peak memory is its own:
  train     - iomshare cleans the records and trains the model by EM (saved as JSON)
  iomshare  - iomshare links with the saved model (predict, cluster, conflicts, review pairs)
  splink    - plain Splink on the same cleaned data with the same trained model: predict and cluster
and finally one new record is matched against the existing ones (median of 20, no retraining).
Both link timings are taken the same way: after one warm-up run on a 2,000-record sample (so neither
side pays DuckDB's and Splink's first-query costs inside the measurement), the median of five runs
(one run from 1M records up).

    python bench/identity_bench.py                 # 10k and 100k
    python bench/identity_bench.py 10000 100000 1000000
    BENCH_DIR=... python bench/identity_bench.py --paired 10000 15   # after a run left its files there
"""

from __future__ import annotations

import json
import logging
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
SEED = 2026
MEMORY_LIMIT = "3GB"  # DuckDB's own limit, inside the 4 GB target for the whole process
WARM_UP_RECORDS = 2000


def _repeats(records: int) -> int:
    # Five below 1M: at 10k a run is a quarter of a second, so one burst of another process's work
    # moves a median of three.
    return 5 if records < 1_000_000 else 1


def _warm_up(con, table: str, run) -> None:
    """One unmeasured run on a sample, so the measured runs start warm."""
    con.execute(f"create or replace table bench_sample as select * from {table} limit {WARM_UP_RECORDS}")
    run("bench_sample")


def generate_parquet(count: int, path: Path) -> None:
    # iomshare.demo's package imports Django models, so Django is set up first.
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iomshare.settings")
    django.setup()
    from iomshare.demo.source_records import iter_generate
    from iomshare.identity.linkage import RAW_SCHEMA

    schema = pa.schema([*RAW_SCHEMA, ("person_key", pa.int64())])
    writer = pq.ParquetWriter(path, schema)
    batch: dict[str, list] = {name: [] for name in schema.names}
    for i, record in enumerate(iter_generate(count, seed=SEED)):
        row = {
            "unique_id": i,
            "given_name": record.given_name,
            "family_name": record.family_name,
            "date_of_birth": record.date_of_birth,
            "sex": record.sex or None,
            "postcode": record.postcode or None,
            "pnc": record.identifiers.get("pnc"),
            "cro": record.identifiers.get("cro"),
            "nomis": record.identifiers.get("nomis"),
            "nhs": record.identifiers.get("nhs"),
            "address": record.address or None,
            "other_ids": None,
            "person_key": record.person_key,
        }
        for name in schema.names:
            batch[name].append(row[name])
        if len(batch["unique_id"]) == 100_000:
            writer.write_table(pa.table(batch, schema=schema))
            batch = {name: [] for name in schema.names}
    if batch["unique_id"]:
        writer.write_table(pa.table(batch, schema=schema))
    writer.close()


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


F1_SQL = """
with joined as (select c.cluster_id, r.person_key from {clusters} c join read_parquet('{path}') r using (unique_id)),
both_ as (select count(*) as n from joined group by cluster_id, person_key),
predicted as (select count(*) as n from joined group by cluster_id),
truth as (select count(*) as n from joined group by person_key)
select (select sum(n * (n - 1) / 2) from both_), (select sum(n * (n - 1) / 2) from predicted),
       (select sum(n * (n - 1) / 2) from truth)
"""


def _scores(con, clusters_table: str, path: Path) -> dict[str, float]:
    tp, predicted, truth = con.sql(F1_SQL.format(clusters=clusters_table, path=path)).fetchall()[0]
    precision, recall = tp / predicted, tp / truth
    return {"precision": precision, "recall": recall, "f1": 2 * precision * recall / (precision + recall)}


def worker_train(path: Path, model_out: Path) -> dict:
    """Clean and train, in a process of its own: the partnership trains once and links many times."""
    from iomshare.identity import linkage

    started = time.perf_counter()
    con = linkage.connect(threads=2, memory_limit=MEMORY_LIMIT)
    table = linkage.prepare(con, f"read_parquet('{path}')")
    prepared = time.perf_counter() - started
    report = linkage.train(con, table)
    model_out.write_text(json.dumps(report.model))
    return {"seconds": {"prepare": prepared, "train": report.seconds}, "peak_mb": _peak_mb()}


def worker_iomshare(path: Path, model_path: Path) -> dict:
    """Link with the saved model in a fresh process, started just as plain Splink's is."""
    from iomshare.identity import linkage

    model = json.loads(model_path.read_text())
    timings = {}
    con = linkage.connect(threads=2, memory_limit=MEMORY_LIMIT)
    table = linkage.prepare(con, f"read_parquet('{path}')")
    _warm_up(con, table, lambda name: linkage.link(con, name, model))
    records = con.sql(f"select count(*) from {table}").fetchall()[0][0]
    runs = []
    for _ in range(_repeats(records)):
        started = time.perf_counter()
        result = linkage.link(con, table, model)
        runs.append(time.perf_counter() - started)
    timings["link"] = statistics.median(runs)
    con.register("bench_clusters_rows", result.cluster_table)
    con.execute("create table bench_clusters as select * from bench_clusters_rows")
    auto = _scores(con, "bench_clusters", path)
    truth = dict(con.sql(f"select unique_id, person_key from read_parquet('{path}')").fetchall())
    accepted = sum(truth[r["unique_id_l"]] == truth[r["unique_id_r"]] for r in result.review_pairs)
    return {
        "records": records,
        "pairs_scored": result.pairs_scored,
        "review_pairs": len(result.review_pairs),
        "review_pairs_truly_matching": accepted,
        "conflicts": len(result.conflicts),
        "seconds": timings,
        "link_parts": result.seconds,
        "link_runs": runs,
        "accuracy": auto,
        "peak_mb": _peak_mb(),
    }


def worker_splink(path: Path, model_path: Path) -> dict:
    from splink import DuckDBAPI, Linker

    from iomshare.identity import linkage

    model = json.loads(model_path.read_text())
    con = linkage.connect(threads=2, memory_limit=MEMORY_LIMIT)
    table = linkage.prepare(con, f"read_parquet('{path}')")  # the same cleaned input

    def link(name: str) -> None:
        linker = Linker(DuckDBAPI(con).register(name), model, log_level=logging.ERROR)
        predictions = linker.inference.predict(
            threshold_match_probability=linkage.DEFAULT_LOWER, warning_mode="never"
        )
        clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
            predictions, threshold_match_probability=linkage.DEFAULT_UPPER
        )
        con.execute(
            f"create or replace table bench_clusters as select unique_id, cluster_id from {clusters.physical_name}"
        )

    _warm_up(con, table, link)
    runs = []
    for _ in range(_repeats(con.sql(f"select count(*) from {table}").fetchall()[0][0])):
        started = time.perf_counter()
        link(table)
        runs.append(time.perf_counter() - started)
    return {
        "seconds": {"link": statistics.median(runs), "runs": runs},
        "accuracy": _scores(con, "bench_clusters", path),
        "peak_mb": _peak_mb(),
    }


def worker_new_record(path: Path, model_path: Path) -> dict:
    import duckdb

    from iomshare.identity import linkage

    model = json.loads(model_path.read_text())
    con = duckdb.connect()
    rows = (
        con.sql(
            f"select * exclude (person_key) from read_parquet('{path}') where unique_id % 997 = 5 limit 20"
        )
        .to_arrow_table()
        .to_pylist()
    )
    timings = []
    for row in rows:
        started = time.perf_counter()
        # Candidates as the database index finds them: same date of birth, or same last name.
        candidates = (
            con.execute(
                f"select * exclude (person_key) from read_parquet('{path}') "
                "where unique_id <> ? and (date_of_birth = ? or upper(family_name) = upper(?)) limit 500",
                [row["unique_id"], row["date_of_birth"], row["family_name"]],
            )
            .to_arrow_table()
            .to_pylist()
        )
        linkage.match_new(model, dict(row, unique_id=-1), candidates)
        timings.append(time.perf_counter() - started)
    return {"median_seconds": statistics.median(timings), "max_seconds": max(timings), "peak_mb": _peak_mb()}


def _run(role: str, *args: str) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, "--worker", role, *args], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"{role} worker failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(sizes: list[int]) -> None:
    workdir = Path(os.environ.get("BENCH_DIR", tempfile.mkdtemp(prefix="iomshare-identity-bench-")))
    workdir.mkdir(parents=True, exist_ok=True)
    for size in sizes:
        path = workdir / f"records-{size}.parquet"
        model_path = workdir / f"model-{size}.json"
        if not path.exists():
            started = time.perf_counter()
            generate_parquet(size, path)
            print(f"generated {size:,} records in {time.perf_counter() - started:.1f} s", flush=True)
        training = _run("train", str(path), str(model_path))
        ours = _run("iomshare", str(path), str(model_path))
        plain = _run("splink", str(path), str(model_path))
        arrival = _run("new-record", str(path), str(model_path))
        ours["seconds"] = {**training["seconds"], **ours["seconds"]}
        ours["peak_mb"] = max(training["peak_mb"], ours["peak_mb"])  # the larger of training and linking
        total = sum(ours["seconds"].values())
        print(
            json.dumps(
                {
                    "records": size,
                    "iomshare": ours,
                    "plain_splink": plain,
                    "overhead_ratio_link": ours["seconds"]["link"] / plain["seconds"]["link"],
                    "total_seconds": total,
                    "new_record": arrival,
                },
                indent=2,
            ),
            flush=True,
        )
        print(
            f"SUMMARY {size:,} records: F1 {ours['accuracy']['f1']:.4f} (P {ours['accuracy']['precision']:.4f}, "
            f"R {ours['accuracy']['recall']:.4f}); total {total:.1f} s (train {ours['seconds']['train']:.1f} s, "
            f"link {ours['seconds']['link']:.1f} s); peak {ours['peak_mb']:.0f} MB; plain Splink link "
            f"{plain['seconds']['link']:.1f} s (F1 {plain['accuracy']['f1']:.4f}), overhead "
            f"{ours['seconds']['link'] / plain['seconds']['link']:.2f}x; new record {arrival['median_seconds'] * 1000:.0f} ms "
            f"median ({arrival['max_seconds'] * 1000:.0f} ms max)",
            flush=True,
        )


def paired(size: int, pairs: int) -> None:
    """Both pipelines alternately on one warm connection, so a busy machine slows both alike."""
    from splink import DuckDBAPI, Linker

    from iomshare.identity import linkage

    workdir = Path(os.environ["BENCH_DIR"])
    model = json.loads((workdir / f"model-{size}.json").read_text())
    con = linkage.connect(threads=2, memory_limit=MEMORY_LIMIT)
    table = linkage.prepare(con, f"read_parquet('{workdir / f'records-{size}.parquet'}')")

    def plain() -> None:
        linker = Linker(DuckDBAPI(con).register(table), model, log_level=logging.ERROR)
        predictions = linker.inference.predict(
            threshold_match_probability=linkage.DEFAULT_LOWER, warning_mode="never"
        )
        linker.clustering.cluster_pairwise_predictions_at_threshold(
            predictions, threshold_match_probability=linkage.DEFAULT_UPPER
        )

    def ours() -> None:
        linkage.link(con, table, model)

    plain(), ours()  # warm both
    times: dict[str, list[float]] = {"iomshare": [], "splink": []}
    for i in range(pairs):
        order = [("iomshare", ours), ("splink", plain)]
        for name, run in order if i % 2 == 0 else reversed(order):
            started = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - started)
    ratios = [a / b for a, b in zip(times["iomshare"], times["splink"], strict=True)]
    print(
        f"PAIRED {size:,} records, {pairs} pairs: iomshare {statistics.median(times['iomshare']):.2f} s, "
        f"plain Splink {statistics.median(times['splink']):.2f} s (medians); overhead "
        f"{statistics.median(ratios):.2f}x (median of ratios)"
    )


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--paired":
        paired(int(sys.argv[2]), int(sys.argv[3]))
    elif len(sys.argv) > 2 and sys.argv[1] == "--worker":
        role, *paths = sys.argv[2:]
        worker = {
            "train": worker_train,
            "iomshare": worker_iomshare,
            "splink": worker_splink,
            "new-record": worker_new_record,
        }[role]
        print(json.dumps(worker(*map(Path, paths))))
    else:
        main([int(arg) for arg in sys.argv[1:]] or [10_000, 100_000])
