"""Retention benchmark: finding the items due among 10,000,000 on PostgreSQL (target <= 60 s).

    .venv/bin/python bench/retention_bench.py [--items 10000000] [--people 200000] [--rebuild]

Items are generated in SQL (generate_series INSERT ... SELECT), metadata only: content columns hold
empty placeholders, as after sealing nothing in SQL is readable anyway. The data are kept between
runs (database iom_bench_retention, or BENCH_RETENTION_DATABASE_URL); --rebuild starts again.
The timed part is `retention.due.due_items`: the sweep's own query, streamed to the end.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))
import synthetic_items  # noqa: E402  (the item generator, shared with the caseload benchmark)

TODAY = dt.date(2026, 11, 26)


def default_database_url() -> str:
    if url := os.environ.get("BENCH_RETENTION_DATABASE_URL"):
        return url
    base = urlsplit(os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/iom_bench"))
    return urlunsplit(base._replace(path=base.path.rstrip("/") + "_retention"))


def ensure_database(database_url: str, *, rebuild: bool) -> None:
    import psycopg

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and rebuild:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "iomshare.settings"
    os.environ.setdefault("IOMSHARE_TIMEOUTS", "command")  # building data is a command, not a web request
    os.environ.setdefault("IOMSHARE_MASTER_KEY_FILE", str(ROOT / "var" / "bench" / "retention_master_keys"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


# Recorded between 2008 and 2026; review-by a year later; a few items withdrawn.
ITEM_COLUMNS = {
    "sensitivity": "1",
    "recorded_at": "TIMESTAMPTZ '2008-01-01 00:00+00' + (random() * 6900) * INTERVAL '1 day'",
    "valid_from": "DATE '2008-01-01'",
    "review_by": "DATE '2009-01-01' + (g %% 6900)::int",
    "status": "CASE WHEN g %% 50 = 0 THEN 'withdrawn' ELSE 'live' END",
}


def generate(items: int, people: int) -> None:
    from django.db import connection

    from iomshare.partnership.models import Agency, StaffMember
    from iomshare.records.models import Category

    agency_kinds = ["police", "probation", "prison", "council", "health", "vcs"]
    for kind in agency_kinds:
        agency, _ = Agency.objects.get_or_create(
            code=f"bench-{kind}",
            defaults={"name": f"Bench {kind}", "kind": kind, "is_statutory": kind != "vcs"},
        )
        StaffMember.objects.get_or_create(username=f"bench-{kind}", defaults={"agency": agency})
    assert Category.objects.count() >= 15
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(
            "INSERT INTO people_person (id, given_name, family_name, created_at) "
            "SELECT gen_random_uuid(), 'Synthetic', 'Person' || g, now() FROM generate_series(1, %s) g",
            [people],
        )
        # 70% of people have left the cohort (ended 2012-2026), the rest are still in it.
        cursor.execute(
            "INSERT INTO people_cohortmembership (person_id, tier, lead_agency_id, started_on, ended_on, exit_reason) "
            "SELECT p.id, 'fixed', (SELECT min(id) FROM partnership_agency), DATE '2010-01-01', "
            "CASE WHEN random() < 0.7 THEN DATE '2012-01-01' + (random() * 5400)::int END, '' "
            "FROM people_person p"
        )
        # Those who left, left when their sentence ended (a leaver always has a reason).
        cursor.execute(
            "UPDATE people_cohortmembership SET exit_reason = 'sentence_ended' WHERE ended_on IS NOT NULL"
        )
        cursor.execute(
            "CREATE TEMP TABLE bench_people AS "
            "SELECT (row_number() OVER (ORDER BY id)) - 1 AS n, id FROM people_person"
        )
        cursor.execute(
            "CREATE TEMP TABLE bench_agencies AS SELECT (row_number() OVER (ORDER BY a.id)) - 1 AS n, "
            "a.id, s.id AS author_id FROM partnership_agency a "
            "JOIN partnership_staffmember s ON s.agency_id = a.id AND s.username LIKE 'bench-%%'"
        )
        cursor.execute(
            "CREATE TEMP TABLE bench_categories AS "
            "SELECT (row_number() OVER (ORDER BY id)) - 1 AS n, id FROM records_category"
        )
    synthetic_items.insert_items(items, columns=ITEM_COLUMNS)
    print(f"generated {items:,} items for {people:,} people in {time.perf_counter() - started:.0f} s")


def seed_sentence_ends() -> None:
    """A third of the people have a known end of sentence (the only date retention is told, not derives)."""
    from django.db import connection

    from iomshare.retention.models import PersonDates

    if PersonDates.objects.filter(sentence_ends_on__isnull=False).exists():
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO retention_persondates (person_id, sentence_ends_on, was_in_cohort) "
            "SELECT id, DATE '2005-01-01' + (random() * 8000)::int, false FROM people_person "
            "WHERE random() < 0.33 "
            "ON CONFLICT (person_id) DO UPDATE SET sentence_ends_on = EXCLUDED.sentence_ends_on"
        )
        cursor.execute("ANALYZE retention_persondates")


def measure(runs: int) -> None:
    from django.db import connection

    from iomshare.records.models import InformationItem
    from iomshare.retention import due

    total = InformationItem.objects.count()
    print(f"{total:,} items in the table")
    due.refresh_person_dates()
    schedules = due.Schedules()
    where = due.due_filter(TODAY, schedules)
    query = InformationItem.objects.filter(status__in=due.HELD_STATUSES).filter(where).values_list("id")
    with connection.cursor() as cursor:
        sql, params = query.query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = [row[0] for row in cursor.fetchall()]
    print("plan (top lines):")
    for line in plan[:8]:
        print("   ", line)
    for run in range(1, runs + 1):
        started = time.perf_counter()
        changed = due.refresh_person_dates()
        refreshed = time.perf_counter() - started
        counted = due.due_queryset(TODAY, due.Schedules()).count()
        found = time.perf_counter() - started
        print(f"run {run}: {counted:,} due, found and counted in the database in {found:.1f} s", flush=True)
        started = time.perf_counter()
        count = sum(1 for _ in due.due_items(TODAY, schedules=due.Schedules(), refresh=False))
        seconds = time.perf_counter() - started
        print(
            f"run {run}: {count:,} items due of {total:,} streamed to the sweep in {seconds:.1f} s "
            f"({count / seconds:,.0f} due items/s; trigger dates refreshed first in {refreshed:.1f} s, "
            f"{changed:,} people changed)",
            flush=True,
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000_000)
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--rebuild", action="store_true", help="Drop the bench database and generate again.")
    parser.add_argument("--database-url", default=default_database_url())
    args = parser.parse_args()
    ensure_database(args.database_url, rebuild=args.rebuild)
    setup_django(args.database_url)
    from iomshare.records.models import InformationItem

    if not InformationItem.objects.exists():
        generate(args.items, args.people)
    seed_sentence_ends()
    measure(args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
