"""Bulk intake of person records on PostgreSQL: records a second through identity.intake.receive_batch.

The extract-like generator (no UK identifiers) gives N records for one agency; they are sent in
batches of 10,000 (the API's limit) through the same service the batch endpoint calls. Each run
starts from an empty identity table in its own database (BENCH_DATABASE_URL with `_intake`).

    python bench/identity_intake_bench.py            # 100,000 records
    python bench/identity_intake_bench.py 20000
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from import_bench import ensure_database, setup_django

BATCH = 10_000


def database_url() -> str:
    base = urlsplit(os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/iom_bench"))
    return urlunsplit(base._replace(path=base.path.rstrip("/") + "_intake"))


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    url = database_url()
    ensure_database(url)
    setup_django(url)
    from iomshare.demo.source_records import EXTRACT_RATES, generate
    from iomshare.identity.intake import receive_batch
    from iomshare.identity.models import ResolutionEvent, SourceRecord
    from iomshare.partnership.models import Agency

    ResolutionEvent.objects.all().delete()
    SourceRecord.objects.filter(person__isnull=True).delete()
    agency, _ = Agency.objects.get_or_create(
        code="bench-council", defaults={"name": "Bench Council", "kind": "council", "is_statutory": True}
    )
    rows = []
    for n, record in enumerate(generate(count, seed=5, rates=EXTRACT_RATES, national_identifiers=False)):
        rows.append({**record.as_submission(), "record_key": f"BENCH-{n}"})
    print(f"load average before: {os.getloadavg()[0]:.2f}", flush=True)
    started = time.perf_counter()
    received = waiting = 0
    batch_seconds = []
    for at in range(0, len(rows), BATCH):
        batch_started = time.perf_counter()
        outcome = receive_batch(agency=agency, rows=rows[at : at + BATCH], provenance="bench", by=None)
        batch_seconds.append(time.perf_counter() - batch_started)
        received, waiting = received + outcome.received, waiting + outcome.waiting
    seconds = time.perf_counter() - started
    print(
        f"{received:,} records received ({waiting:,} waiting) in {seconds:.1f} s: {received / seconds:,.0f} records/s",
        flush=True,
    )
    print(f"seconds a batch of {BATCH:,}: {', '.join(f'{t:.1f}' for t in batch_seconds)}", flush=True)
    print(f"load average after: {os.getloadavg()[0]:.2f}", flush=True)


if __name__ == "__main__":
    main()
