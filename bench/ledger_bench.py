"""Ledger benchmarks: appends/s with concurrent writers, verify entries/s, person-report p95.

    .venv/bin/python bench/ledger_bench.py --database-url postgres://postgres@127.0.0.1:5432/iom_bench_ledger

Targets (issue 3): >= 5,000 appends/s with 8 writer processes on PostgreSQL; verify >= 200,000
entries/s; the person report on a 10-million-entry ledger with p95 < 200 ms. The big ledger is
filled with COPY (a valid chain built here, checked by the verify run) and kept between runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import multiprocessing as mp
import os
import random
import statistics
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def default_database_url() -> str:
    if url := os.environ.get("BENCH_LEDGER_DATABASE_URL"):
        return url
    base = urlsplit(os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/iom_bench"))
    return urlunsplit(base._replace(path=base.path.rstrip("/") + "_ledger"))


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "iomshare.settings"
    os.environ.setdefault("IOMSHARE_TIMEOUTS", "command")  # building data is a command, not a web request
    keys = ROOT / "var" / "bench"
    os.environ["LEDGER_SIGNING_KEY_FILE"] = str(keys / "ledger_signing_key.pem")
    os.environ["LEDGER_TRUSTED_KEYS_DIR"] = str(keys / "ledger_trusted_keys")
    import django

    django.setup()


def ensure_database(database_url: str) -> None:
    import psycopg

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def ledger_tables() -> list[str]:
    from iomshare.ledger.models import AgencyDisclosure, Checkpoint, LedgerEntry

    return [m._meta.db_table for m in (LedgerEntry, AgencyDisclosure, Checkpoint)]


def empty_ledger() -> None:
    """TRUNCATE (the bench connects as a superuser, which the append-only trigger lets truncate)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(ledger_tables())} RESTART IDENTITY")


# -- appends ----------------------------------------------------------------------------------------


def _writer(database_url: str, seconds: float, batch: int, ready, start, results) -> None:
    setup_django(database_url)
    from django.db import connection

    from iomshare.ledger import services
    from iomshare.ledger.context import Origin
    from iomshare.ledger.models import Action

    origin = Origin(channel="api", request_id=uuid.uuid4().hex, client_address="127.0.0.1")
    items = [str(uuid.uuid4()) for _ in range(4)]
    person = uuid.uuid4()

    def event(n: int):
        return services.Event(
            action=Action.VIEW,
            username="bench",
            purpose="risk_management",
            person_id=person,
            item_ids=items,
            holding_agencies=["police", "probation"],
            clauses=["isp-1/clause-3"],
            outcome="allowed",
            details={"n": n},
            origin=origin,
        )

    connection.ensure_connection()
    ready.wait()
    start.wait()
    deadline = time.perf_counter() + seconds
    count = 0
    while time.perf_counter() < deadline:
        if batch == 1:
            services.append(event(count))
        else:
            services.append_many([event(count + k) for k in range(batch)])
        count += batch
    results.put((count, time.perf_counter()))
    connection.close()


def bench_appends(database_url: str, writers: int, seconds: float, batch: int) -> float:
    context = mp.get_context("spawn")
    ready, start = context.Barrier(writers + 1), context.Barrier(writers + 1)
    results = context.Queue()
    processes = [
        context.Process(target=_writer, args=(database_url, seconds, batch, ready, start, results))
        for _ in range(writers)
    ]
    for process in processes:
        process.start()
    ready.wait()
    began = time.perf_counter()
    start.wait()
    outcomes = [results.get() for _ in processes]
    for process in processes:
        process.join()
    total = sum(count for count, _ in outcomes)
    elapsed = max(finished for _, finished in outcomes) - began
    return total / elapsed


# -- a large ledger, filled with COPY ---------------------------------------------------------------

AGENCIES = ["police", "probation", "prison", "council", "health", "vcs1", "vcs2", "housing", "dwp", "yjs"]
ACTIONS = ["view"] * 14 + ["search"] * 3 + ["item_recorded", "sign_in", "report"]
COLUMNS = (
    "id, at, lane, lane_seq, prev_hash, entry_hash, actor_id, actor_username, actor_agency, channel, action, "
    "purpose, person_id, item_ids, holding_agencies, clauses, outcome, request_id, client_address, details"
)


def frequent_people(count: int = 50) -> list[uuid.UUID]:
    rng = random.Random(7)
    return [uuid.UUID(int=rng.getrandbits(128), version=4) for _ in range(count)]


def fill(entries: int, people: int) -> None:
    """Append `entries` valid-chain entries with COPY, indexes dropped and rebuilt around it."""
    from django.db import connection

    from iomshare.ledger import hashing
    from iomshare.ledger.models import LANES, AgencyDisclosure, LedgerEntry

    table, disclosures = LedgerEntry._meta.db_table, AgencyDisclosure._meta.db_table
    rng = random.Random(42)
    heavy = frequent_people()
    population = [uuid.UUID(int=rng.getrandbits(128), version=4) for _ in range(people)]
    sep, fmt = hashing.SEPARATOR, hashing.FORMAT
    heads = [(0, hashing.GENESIS_HASH)] * LANES
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=730)
    step = dt.timedelta(days=730) / entries
    connection.ensure_connection()
    raw = connection.connection
    with raw.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN (%s, %s) AND indexname NOT LIKE %s",
            [table, disclosures, "%_pkey"],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
            "AND contype = 'u'",
            [table],
        )
        constraints = cursor.fetchall()
        for name, _ in constraints:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            if name not in {c for c, _ in constraints}:
                cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
    raw.commit()
    began = time.perf_counter()
    sha256 = hashlib.sha256
    disclosure_rows = []
    with raw.cursor() as cursor:
        with cursor.copy(f"COPY {table} ({COLUMNS}) FROM STDIN") as copy:
            for i in range(1, entries + 1):
                lane = i % LANES
                seq, prev = heads[lane]
                seq += 1
                at = start + step * i
                at_text = at.strftime(hashing.TIMESTAMP_FORMAT)
                action = ACTIONS[rng.randrange(len(ACTIONS))]
                actor = rng.randrange(1, 2001)
                agency = AGENCIES[actor % len(AGENCIES)]
                person = ""
                items_json = holders_json = "[]"
                details = "{}"
                if action in ("view", "item_recorded", "report"):
                    person_id = (
                        heavy[rng.randrange(len(heavy))] if rng.random() < 0.1 else rng.choice(population)
                    )
                    person = person_id.hex
                    if action != "report":
                        count = 1 if action == "item_recorded" else rng.randrange(1, 9)
                        items = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(count)]
                        items_json = '["' + '","'.join(items) + '"]'
                        holders = sorted({agency, AGENCIES[rng.randrange(len(AGENCIES))]})
                        holders_json = '["' + '","'.join(holders) + '"]'
                        for code in holders:
                            if code != agency:
                                disclosure_rows.append((i, code, at))
                elif action == "search":
                    details = '{"results":' + str(rng.randrange(50)) + ',"terms":{"search":"smith"}}'
                purpose = "risk_management" if action == "view" else ""
                clauses = '["isp-1/clause-3"]' if action == "view" else "[]"
                outcome = "allowed" if action == "view" else "succeeded"
                request_id = f"{i:032x}"
                line = sep.join(
                    (
                        fmt, str(lane), str(seq), prev, at_text, str(actor), f"user{actor}", agency, "web",
                        action, purpose, person, items_json, holders_json, clauses, outcome, request_id,
                        "10.1.2.3", details,
                    )
                )  # fmt: skip
                entry_hash = sha256(line.encode()).hexdigest()
                heads[lane] = (seq, entry_hash)
                copy.write_row(
                    (
                        i, at, lane, seq, prev, entry_hash, actor, f"user{actor}", agency, "web", action,
                        purpose, str(uuid.UUID(person)) if person else None, items_json, holders_json, clauses,
                        outcome, request_id, "10.1.2.3", details,
                    )
                )  # fmt: skip
                if i % 1_000_000 == 0:
                    print(f"  filled {i:,} entries ({time.perf_counter() - began:.0f} s)", flush=True)
        with cursor.copy(f"COPY {disclosures} (entry_id, holding_agency, at) FROM STDIN") as copy:
            for row in disclosure_rows:
                copy.write_row(row)
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), %s)", [entries])
    raw.commit()
    print(f"  COPY done in {time.perf_counter() - began:.0f} s; rebuilding indexes", flush=True)
    with raw.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '1GB'")
        for name, definition in constraints:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        for name, definition in indexes:
            if name not in {c for c, _ in constraints}:
                cursor.execute(definition)
        cursor.execute(f"ANALYZE {table}")
        cursor.execute(f"ANALYZE {disclosures}")
    raw.commit()
    print(f"  filled and indexed in {time.perf_counter() - began:.0f} s", flush=True)


def ledger_size() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM ledger_ledgerentry")
        return cursor.fetchone()[0]


# -- the person report ------------------------------------------------------------------------------


def bench_person_report(samples: int) -> dict[str, float]:
    """Time the person report page (whole request: session, query, report entry, rendering)."""
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from iomshare.partnership.models import Agency, Role, StaffMember
    from iomshare.people.models import Person

    agency, _ = Agency.objects.get_or_create(
        code="police", defaults={"name": "Bench Police", "kind": "police", "is_statutory": True}
    )
    lead, _ = StaffMember.objects.get_or_create(
        username="bench-ig-lead", defaults={"agency": agency, "role": Role.IG_LEAD}
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT person_id FROM ledger_ledgerentry TABLESAMPLE SYSTEM (1) WHERE person_id IS NOT NULL LIMIT %s",
            [samples],
        )
        sampled = [row[0] for row in cursor.fetchall()]
    people = frequent_people()[:10] + sampled[: samples - 10]
    Person.objects.bulk_create(
        [Person(id=pid, given_name="Bench", family_name="Person") for pid in people], ignore_conflicts=True
    )
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(lead)
    today = dt.date.today()
    since = today - dt.timedelta(days=90)
    timings = []
    for n, person_id in enumerate(people):
        params = {}
        if n % 2:
            params = {"start-day": since.day, "start-month": since.month, "start-year": since.year}
        url = reverse("ledger:report", args=["people", person_id])
        started = time.perf_counter()
        response = client.get(url, params)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
        if n == 0:  # and a second page, by cursor
            body = response.content.decode()
            assert "Older entries" in body
    timings.sort()
    return {
        "requests": len(timings),
        "p50": statistics.median(timings),
        "p95": timings[int(len(timings) * 0.95) - 1],
        "max": timings[-1],
    }


def bench_appends_in(appends_url: str, args: argparse.Namespace) -> None:
    """Appends/s with `args.writers` processes, single and batched, in a child process of its own."""
    context = mp.get_context("spawn")
    child = context.Process(target=_appends_main, args=(appends_url, args.writers, args.seconds))
    child.start()
    child.join()
    if child.exitcode:
        raise SystemExit(child.exitcode)


def _appends_main(appends_url: str, writers: int, seconds: float) -> None:
    setup_django(appends_url)
    migrate()
    from iomshare.ledger.verify import verify

    print(f"appends database: {appends_url}")
    empty_ledger()
    for batch in (1, 10, 50):
        rate = bench_appends(appends_url, writers, seconds, batch)
        what = "append()" if batch == 1 else f"append_many() of {batch}"
        print(f"appends: {rate:,.0f} entries/s with {writers} writer processes, {what}", flush=True)
    result = verify()
    print(f"  the ledger they wrote verifies: {result.ok} ({result.entries_checked:,} entries)", flush=True)
    if not result.ok:
        raise SystemExit(1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=default_database_url())
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0, help="How long each append run lasts.")
    parser.add_argument("--entries", type=int, default=10_000_000, help="Size of the big ledger.")
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--samples", type=int, default=200, help="Person reports to time.")
    parser.add_argument("--skip-appends", action="store_true")
    args = parser.parse_args()

    # Appends run on a database of their own, emptied first, so the big ledger survives between runs.
    appends_url = urlunsplit(
        urlsplit(args.database_url)._replace(path=urlsplit(args.database_url).path + "_appends")
    )
    if not args.skip_appends:
        ensure_database(appends_url)
        bench_appends_in(appends_url, args)
    ensure_database(args.database_url)
    setup_django(args.database_url)
    migrate()
    from iomshare.ledger.verify import verify

    print(f"database: {args.database_url}")
    if ledger_size() < args.entries:
        empty_ledger()
        print(f"filling a ledger of {args.entries:,} entries...", flush=True)
        fill(args.entries, args.people)
        from iomshare.ledger import services

        services.write_checkpoint()
    result = verify(workers=2)
    rate = result.entries_checked / result.seconds
    print(
        f"verify: {result.entries_checked:,} entries and {result.checkpoints_checked} checkpoint(s) in "
        f"{result.seconds:.1f} s = {rate:,.0f} entries/s with 2 connections; intact: {result.ok}",
        flush=True,
    )
    if not result.ok:
        print(f"  first problem: {result.first_problem}")
        return 1
    report = bench_person_report(args.samples)
    print(
        f"person report on {ledger_size():,} entries: {report['requests']} requests, "
        f"p50 {report['p50']:.1f} ms, p95 {report['p95']:.1f} ms, max {report['max']:.1f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
