"""Import benchmark: a 1,000,000-row CSV agency extract on PostgreSQL, validated, against raw COPY.

    .venv/bin/python bench/import_bench.py [--rows 1000000] [--database-url postgres://...]

Target (issue 6): at least 20,000 rows a second for an import that checks every row (person, dates,
codes through the vocabulary, the form's schema, the item rules, duplicate keys) and writes items
and their agency-local keys. The baseline is PostgreSQL COPY of the same file into a table of text
columns: the fastest the database can take the rows in, with no checking at all.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gc
import os
import random
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
WORK = ROOT / "var" / "bench"
PEOPLE = 20_000
KINDS = ["OFF", "HV", "TEL", "VID"]
OUTCOMES = ["ATTC", "AFTC", "AACC", "UAAB", "RSCH"]
HEADER = ["CONTACT_ID", "CRN", "CONTACT_DATE", "CONTACT_TYPE", "OUTCOME", "NOTES"]
NOTES = [
    "Seen at the office; engaged well.",
    "Discussed housing application and benefits appointment.",
    "Phone call; reports drug use is down.",
    "Home visit with police IOM officer.",
    "",
]


def default_database_url() -> str:
    if url := os.environ.get("BENCH_IMPORT_DATABASE_URL"):
        return url
    base = urlsplit(os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/iom_bench"))
    return urlunsplit(base._replace(path=base.path.rstrip("/") + "_import"))


def ensure_database(database_url: str) -> None:
    import psycopg

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "iomshare.settings"
    os.environ.setdefault("IOMSHARE_TIMEOUTS", "command")  # building data is a command, not a web request
    os.environ.setdefault("LEDGER_SIGNING_KEY_FILE", str(WORK / "ledger_signing_key.pem"))
    os.environ.setdefault("LEDGER_TRUSTED_KEYS_DIR", str(WORK / "ledger_trusted_keys"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def crn(n: int) -> str:
    return f"B{n:06d}"


def prepare_partnership():
    """The probation service, its system account, its codes and profile, and PEOPLE people by CRN."""
    from django.db import connection

    from iomshare.demo.import_profiles import load_demo_import_profiles
    from iomshare.demo.local_terms import load_demo_local_terms
    from iomshare.exchange.models import ImportedItemKey, ImportRun
    from iomshare.partnership.models import Agency, Role, StaffMember
    from iomshare.people.models import AgencyIdentifier, Person
    from iomshare.records.models import InformationItem

    with connection.cursor() as cursor:
        tables = [InformationItem._meta.db_table, ImportedItemKey._meta.db_table, ImportRun._meta.db_table]
        cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
    probation, _ = Agency.objects.get_or_create(
        code="probation",
        defaults={"name": "Probation Service – Northshire", "kind": "probation", "is_statutory": True},
    )
    system, _ = StaffMember.objects.get_or_create(
        username="probation.system", defaults={"agency": probation, "role": Role.SYSTEM}
    )
    if AgencyIdentifier.objects.filter(agency=probation, scheme="local").count() < PEOPLE:
        AgencyIdentifier.objects.filter(agency=probation).delete()
        people = Person.objects.bulk_create(
            [
                Person(given_name="Bench", family_name=f"Person{n}", date_of_birth=dt.date(1990, 1, 1))
                for n in range(PEOPLE)
            ],
            batch_size=5000,
        )
        AgencyIdentifier.objects.bulk_create(
            [
                AgencyIdentifier(person=p, agency=probation, scheme="local", value=crn(n))
                for n, p in enumerate(people)
            ],
            batch_size=5000,
        )
    load_demo_local_terms([probation])
    (profile,) = load_demo_import_profiles([probation])
    return profile, system


def write_extract(path: Path, rows: int) -> None:
    """A probation contacts extract: agency codes, British dates, a few notes; seeded, so repeatable."""
    if path.exists() and path.stat().st_size > 0:
        return
    rng = random.Random(2026)
    today = dt.date.today()
    dates = [(today - dt.timedelta(days=d)).strftime("%d/%m/%Y") for d in range(1, 730)]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for n in range(rows):
            writer.writerow(
                [
                    f"CT{n:08d}",
                    crn(rng.randrange(PEOPLE)),
                    rng.choice(dates),
                    rng.choice(KINDS),
                    rng.choice(OUTCOMES),
                    rng.choice(NOTES),
                ]
            )


def copy_baseline(path: Path) -> float:
    """Seconds for PostgreSQL COPY of the file into a table of text columns (no checks at all)."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_import_copy")
        cursor.execute(
            f"CREATE TABLE bench_import_copy ({', '.join(f'{name.lower()} text' for name in HEADER)})"
        )
        started = time.perf_counter()
        with (
            cursor.copy("COPY bench_import_copy FROM STDIN (FORMAT csv, HEADER true)") as copy,
            path.open("rb") as f,
        ):
            while chunk := f.read(1024 * 1024):
                copy.write(chunk)
        seconds = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_import_copy")
    return seconds


class CpuMeter:
    """CPU seconds of this process and of its PostgreSQL backend (read from /proc when the server is
    on this machine), so a run says where its time went, not only how long it took on a shared box."""

    def __init__(self) -> None:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            self.backend_stat = Path(f"/proc/{cursor.fetchone()[0]}/stat")
        self.tick = os.sysconf("SC_CLK_TCK")

    def now(self) -> tuple[float, float | None]:
        process = sum(os.times()[:2])
        try:
            fields = self.backend_stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the server runs elsewhere
            return process, None
        return process, (int(fields[11]) + int(fields[12])) / self.tick

    def since(self, start: tuple[float, float | None], rows: int) -> str:
        process, backend = self.now()
        text = f"Python {(process - start[0]) / rows * 1e6:5.1f} µs/row"
        if backend is not None and start[1] is not None:
            text += f", PostgreSQL backend {(backend - start[1]) / rows * 1e6:5.1f} µs/row"
        return f"{text}, load {os.getloadavg()[0]:.2f}"


def time_parts() -> dict[str, float]:
    """Wrap the import's stages so each adds up its thread CPU seconds (--parts): where Python's time goes."""
    from iomshare.exchange import imports, mapping

    try:  # bulk recording's own module since 7 December 2026; records.services before
        from iomshare.records import bulk as services
    except ImportError:
        from iomshare.records import services

    spent: dict[str, float] = {}
    stages = [
        (mapping.RowMapper, "map", "read + map + check a row (mapping.RowMapper.map)"),
        (services, "_check_rows", "records: item rules (_check_rows)"),
        (services, "_sealed_copy_lines", "ids, seal (JSON + AES-GCM), COPY text (_sealed_copy_lines)"),
        (services.BulkRecorder, "_data_keys", "data keys (_data_keys)"),
        (imports, "_keys_copy", "imported keys' COPY text (_keys_copy)"),
        (services.BulkRecorder, "_finish_pending", "wait for the COPY + ledger entry (_finish_pending)"),
    ]
    if not hasattr(services, "_sealed_copy_lines"):  # the stages before 6 December 2026
        stages += [
            (services, "_seal_rows", "data keys, ids, seal (_seal_rows)"),
            (services, "_copy_lines", "COPY text (_copy_lines)"),
            (services.BulkRecorder, "wait", "wait for the COPY + ledger entry (BulkRecorder.wait)"),
        ]
    collecting: list[float] = []

    def garbage_collector(phase: str, info: dict) -> None:
        if phase == "start":
            collecting.append(time.thread_time())
        elif collecting:
            label = "Python's cyclic garbage collector (within the stages above, or once after)"
            spent[label] = spent.get(label, 0.0) + time.thread_time() - collecting.pop()

    gc.callbacks.append(garbage_collector)
    for owner, name, label in stages:
        original = getattr(owner, name, None)
        if original is None:
            continue

        def timed(*args, _original=original, _label=label, **kwargs):
            started = time.thread_time()
            try:
                return _original(*args, **kwargs)
            finally:
                spent[_label] = spent.get(_label, 0.0) + time.thread_time() - started

        setattr(owner, name, timed)
    return spent


def time_reading(path: Path) -> float:
    """CPU seconds to read every row of the extract with the strict CSV reader, unchecked (best of 3)."""
    from iomshare.exchange.readers import open_extract

    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        for _row in open_extract(path, "csv", multiline_columns={"NOTES"}).rows:
            pass
        best = min(best, time.process_time() - started)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=default_database_url())
    parser.add_argument("--parts", action="store_true", help="also print the import's Python CPU by stage")
    parser.add_argument(
        "--without-events", action="store_true", help="no event signals: the import without its outbox"
    )
    args = parser.parse_args()
    ensure_database(args.database_url)
    setup_django(args.database_url)

    from django.db import connection

    from iomshare.exchange.imports import import_file
    from iomshare.records.models import InformationItem

    profile, system = prepare_partnership()
    from iomshare.alerts.models import CohortEvent, EventSignal
    from iomshare.alerts.signals_starter import load_starter_signals

    CohortEvent.objects.all().delete()
    if args.without_events:
        EventSignal.objects.all().delete()
    else:
        load_starter_signals(__import__("django.apps", fromlist=["apps"]).apps.get_model)
    extract = WORK / f"contacts-{args.rows}-rows.csv"
    write_extract(extract, args.rows)
    size_mb = extract.stat().st_size / 1024 / 1024
    print(
        f"PostgreSQL {connection.pg_version // 10000}, {args.rows:,} rows, {size_mb:.0f} MB CSV", flush=True
    )

    cpu = CpuMeter()
    print(f"load average before: {os.getloadavg()[0]:.2f}", flush=True)
    print(
        f"reading alone (strict CSV reader): {time_reading(extract) / args.rows * 1e6:5.2f} µs/row CPU",
        flush=True,
    )
    started, cpu_started = time.perf_counter(), cpu.now()
    checked = import_file(profile, extract, by=system, write=False)
    check_seconds = time.perf_counter() - started
    assert checked.problem_count == 0, checked.problems[:5]
    print(
        f"check (dry run):       {check_seconds:6.1f} s  {args.rows / check_seconds:>9,.0f} rows/s  "
        f"({cpu.since(cpu_started, args.rows)})",
        flush=True,
    )

    spent = time_parts() if args.parts else {}
    started, cpu_started, main_started = time.perf_counter(), cpu.now(), time.thread_time()
    outcome = import_file(profile, extract, by=system, write=True)
    import_seconds = time.perf_counter() - started
    import_cpu = cpu.since(cpu_started, args.rows)
    if args.parts:
        print(f"  main thread: {(time.thread_time() - main_started) / args.rows * 1e6:5.1f} µs/row, of which")
        for label, seconds in spent.items():
            print(f"  {seconds / args.rows * 1e6:5.1f} µs/row  {label}")
    assert outcome.problem_count == 0 and outcome.rows_created == args.rows, outcome
    assert InformationItem.objects.count() == args.rows
    print(f"cohort events written with the import: {CohortEvent.objects.count():,}", flush=True)
    import_rate = args.rows / import_seconds
    print(
        f"import (check + write):{import_seconds:6.1f} s  {import_rate:>9,.0f} rows/s  ({import_cpu})",
        flush=True,
    )

    started, cpu_started = time.perf_counter(), cpu.now()
    again = import_file(profile, extract, by=system, write=True)
    again_seconds = time.perf_counter() - started
    assert again.rows_created == 0 and again.rows_already_imported == args.rows
    print(
        f"re-import (all known): {again_seconds:6.1f} s  {args.rows / again_seconds:>9,.0f} rows/s  "
        f"({cpu.since(cpu_started, args.rows)})",
        flush=True,
    )

    copy_seconds = copy_baseline(extract)
    copy_rate = args.rows / copy_seconds
    print(f"COPY of the same file: {copy_seconds:6.1f} s  {copy_rate:>9,.0f} rows/s", flush=True)
    print(f"import / COPY: {import_rate / copy_rate:.2f} (COPY is {copy_rate / import_rate:.1f}x faster)")
    target = 20_000
    print(f"target >= {target:,} rows/s: {'met' if import_rate >= target else 'NOT met'}")
    return 0 if import_rate >= target else 1


if __name__ == "__main__":
    sys.exit(main())
