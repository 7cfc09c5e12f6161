"""A key worker's day: the caseload landing page and a person's summary page on PostgreSQL.

    .venv/bin/python bench/caseload_bench.py [--items 1000000] [--runs 200]
        [--database-url postgres://postgres@127.0.0.1:5432/iom_bench_caseload]

Target (issue 14): "My caseload" and the person page (summary first, then the first page of the
timeline) for a key worker with 40 people, in a cohort of 2,000 with 1,000,000 items: p95 under
150 ms. The database is the demo partnership (its protocols, staff and cohort), topped up to a cohort
of 2,000 and to `--items` items generated in SQL with real sealed content (bench/synthetic_items.py,
shared with the retention and health benchmarks); it is built once and kept.
Pages are served by Django's test client as a signed-in practitioner (sessions, middleware, the
door's decision and the ledger entry included).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

COHORT = 2_000
CASELOAD = 40
KEY_WORKER = "bench.keyworker"  # a police practitioner of its own, so the caseload is exactly 40
LIKE = "police.practitioner"  # whose agency, vetting and training the key worker copies
PURPOSE = "risk_management"
RUNS = 200


def default_database_url() -> str:
    base = urlsplit(os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/iom_bench"))
    return urlunsplit(base._replace(path=base.path.rstrip("/") + "_caseload"))


def setup_django(database_url: str) -> None:
    from ledger_bench import ensure_database

    ensure_database(database_url)
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "iomshare.settings"
    os.environ.setdefault("IOMSHARE_TIMEOUTS", "command")  # building data is a command, not a web request
    keys = ROOT / "var" / "bench"
    os.environ.setdefault("LEDGER_SIGNING_KEY_FILE", str(keys / "ledger_signing_key.pem"))
    os.environ.setdefault("LEDGER_TRUSTED_KEYS_DIR", str(keys / "ledger_trusted_keys"))
    import django

    django.setup()


def build(total_items: int, progress) -> None:
    """The demo, people and memberships up to COHORT, items up to `total_items`, and a caseload of 40."""
    from django.core.management import call_command

    from iomshare.demo.generator import load_demo
    from iomshare.partnership.demo_second_factor import enrol_demo_accounts
    from iomshare.partnership.models import Agency, StaffMember
    from iomshare.people.models import CohortMembership, Person, Tier
    from iomshare.records.models import InformationItem

    call_command("migrate", verbosity=0)
    if not StaffMember.objects.filter(username=LIKE).exists():
        progress("loading the demo partnership")
        load_demo(reset=True)
    if not StaffMember.objects.filter(username=KEY_WORKER).exists():
        like = StaffMember.objects.get(username=LIKE)
        worker = StaffMember.objects.create(
            username=KEY_WORKER,
            first_name="Bench",
            last_name="Keyworker",
            agency=like.agency,
            role=like.role,
            vetting_level=like.vetting_level,
            vetting_expires_on=like.vetting_expires_on,
        )
        for record in like.training.all():
            record.pk, record.staff_member = None, worker
            record.save()
    # Signed in as in production: the key worker has a second factor (the demo's published one).
    enrol_demo_accounts()
    rng = random.Random(2026)
    today = dt.date.today()
    police = Agency.objects.get(code="police")
    current = CohortMembership.objects.current()
    missing = COHORT - current.count()
    if missing > 0:
        people = Person.objects.bulk_create(
            [
                Person(given_name="Bench", family_name=f"Member{n:05}", date_of_birth=dt.date(1985, 1, 1))
                for n in range(missing)
            ],
            batch_size=2_000,
        )
        CohortMembership.objects.bulk_create(
            [
                CohortMembership(
                    person=person,
                    tier=rng.choice(Tier.values),
                    lead_agency=police,
                    started_on=today - dt.timedelta(days=rng.randint(30, 900)),
                    review_on=today + dt.timedelta(days=rng.randint(1, 90)),
                )
                for person in people
            ],
            batch_size=2_000,
        )
    worker = StaffMember.objects.get(username=KEY_WORKER)
    allocated = current.filter(key_workers=worker).count()
    if allocated < CASELOAD:
        spare = current.exclude(key_workers=worker).order_by("id")[: CASELOAD - allocated]
        for membership in spare:
            membership.key_workers.add(worker)
    remaining = total_items - InformationItem.objects.count()
    if remaining > 0:
        add_items(remaining, progress)


def add_items(count: int, progress) -> None:
    """`count` items about current cohort members, by the partnership's practitioners, generated in SQL.

    Each item is live, recorded in the last 900 days by a practitioner of its holding agency, a
    fifth OFFICIAL-SENSITIVE, with real content sealed under its bucket's data key (the person page
    opens it); every member's items come from every agency (synthetic_items spreads them).
    """
    import synthetic_items
    from django.db import connection

    from iomshare.partnership.models import Role
    from iomshare.records.models import InformationItem, Sensitivity

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE bench_people AS SELECT (row_number() OVER (ORDER BY person_id)) - 1 AS n, "
            "person_id AS id FROM people_cohortmembership WHERE ended_on IS NULL"
        )
        # One practitioner per agency writes that agency's items.
        cursor.execute(
            "CREATE TEMP TABLE bench_agencies AS SELECT (row_number() OVER (ORDER BY agency_id)) - 1 AS n, "
            "agency_id AS id, min(id) AS author_id FROM partnership_staffmember "
            "WHERE role = %s AND agency_id IS NOT NULL AND NOT is_volunteer GROUP BY agency_id",
            [Role.PRACTITIONER],
        )
        cursor.execute(
            "CREATE TEMP TABLE bench_categories AS "
            "SELECT (row_number() OVER (ORDER BY id)) - 1 AS n, id FROM records_category"
        )
    start = InformationItem.objects.count()  # a fresh stretch of the series on each top-up
    synthetic_items.insert_items(
        count,
        start=start,
        columns={
            "sensitivity": f"CASE WHEN random() < 0.2 THEN {int(Sensitivity.OFFICIAL_SENSITIVE)} ELSE {int(Sensitivity.OFFICIAL)} END",
            "recorded_at": "(CURRENT_DATE - 1 - (g %% 900)) + random() * INTERVAL '1 day'",
            "valid_from": "CURRENT_DATE - 1 - (g %% 900)",
            "review_by": "CURRENT_DATE + 30 + (g %% 670)",
        },
        sealed=True,
        every_agency_per_person=True,
        content=lambda g: (f"Synthetic bench item {g}", "Synthetic text for the benchmark. " * 4),
        progress=progress,
    )


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def timed(call, runs: int) -> list[float]:
    call()  # warm caches, as a page already served would
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=default_database_url())
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=RUNS)
    args = parser.parse_args()
    setup_django(args.database_url)

    from django.test import Client

    from iomshare.partnership.models import StaffMember
    from iomshare.people.cohort_selectors import caseload_of
    from iomshare.people.models import CohortMembership
    from iomshare.records.models import InformationItem

    started = time.perf_counter()
    build(args.items, lambda m: print(f"  build: {m} ({time.perf_counter() - started:.0f} s)", flush=True))
    worker = StaffMember.objects.get(username=KEY_WORKER)
    caseload = list(caseload_of(worker))
    person = max(caseload, key=lambda m: m.person_id.int).person
    print(
        f"cohort {CohortMembership.objects.current().count():,}; items {InformationItem.objects.count():,}; "
        f"{worker.username} key worker for {len(caseload)}; the person read holds "
        f"{InformationItem.objects.filter(person=person).count():,} items"
    )
    client = Client(HTTP_HOST="localhost")
    client.force_login(worker)
    pages = {
        # A yardstick: a trivial signed-in page shows how loaded the machine is at the time.
        "notifications (yardstick)": "/notifications/",
        "My caseload": "/cohort/mine/",
        "person summary, own agency": f"/cohort/people/{person.pk}/",
        f"person summary, {PURPOSE}": f"/cohort/people/{person.pk}/?purpose={PURPOSE}",
    }
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        values = timed(lambda url=url: client.get(url), args.runs)
        print(f"{name:>40}: p50 {statistics.median(values):6.1f} ms  p95 {percentile(values, 95):6.1f} ms")
    print(f"target: p95 under 150 ms; load average {Path('/proc/loadavg').read_text().split()[:3]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
