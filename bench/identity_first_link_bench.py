"""The first link on PostgreSQL: records that each became a person before a model existed, linked at once.

N generated records (seed 2026, the six agencies) are received as extracts; each linkable record is
made a person of its own, as receiving it with no model yet does; a model is trained on them; then
`iomshare link`'s `services.link_records` is timed: predict, cluster, conflicts, and the set-based
merges (one ledger entry for the run, one notice per holding agency). Each run starts in a fresh
database (BENCH_DATABASE_URL with `_firstlink`).

    python bench/identity_first_link_bench.py            # 100,000 records
    python bench/identity_first_link_bench.py 10000
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from import_bench import setup_django


def database_url() -> str:
    base = urlsplit(os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/iom_bench"))
    return urlunsplit(base._replace(path=base.path.rstrip("/") + "_firstlink"))


def fresh_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    url = database_url()
    fresh_database(url)
    setup_django(url)
    from iomshare.demo.source_records import AGENCY_REACH, iter_generate
    from iomshare.demo.synthetic_records import receive_synthetic_records
    from iomshare.identity import services
    from iomshare.identity.models import HoldingAgencyNotice, SourceRecord
    from iomshare.ledger.models import Action, LedgerEntry
    from iomshare.partnership.models import Agency

    for code in AGENCY_REACH:
        Agency.objects.create(
            code=code,
            name=f"Bench {code}",
            kind="vcs" if code == "charity" else code,
            is_statutory=code != "charity",
        )
    started = time.perf_counter()
    loaded, waiting = receive_synthetic_records(
        iter_generate(count, seed=2026), provenance="bench", expected=count
    )
    ids = list(SourceRecord.objects.filter(waiting_reason="").order_by("pk").values_list("pk", flat=True))
    services._bulk_resolve([[pk] for pk in ids], {}, by=None)  # each its own person, as with no model
    print(
        f"{loaded:,} records received ({waiting:,} waiting), {len(ids):,} people, "
        f"{time.perf_counter() - started:.1f} s",
        flush=True,
    )
    started = time.perf_counter()
    services.train_model(by=None)
    print(f"trained in {time.perf_counter() - started:.1f} s", flush=True)
    print(f"load average before: {os.getloadavg()[0]:.2f}", flush=True)
    started = time.perf_counter()
    run = services.link_records(by=None)
    seconds = time.perf_counter() - started
    entries = LedgerEntry.objects.filter(action=Action.MERGE).count()
    print(
        f"first link of {run.records:,} records: {seconds:.1f} s "
        f"({', '.join(f'{k} {v:.1f} s' for k, v in run.seconds.items())}); {run.merges:,} merges, "
        f"{run.review_cases:,} pairs for review, {run.conflicts:,} needing attention; "
        f"{entries} merge ledger entries, {HoldingAgencyNotice.objects.count()} notices",
        flush=True,
    )
    print(f"load average after: {os.getloadavg()[0]:.2f}", flush=True)


if __name__ == "__main__":
    main()
