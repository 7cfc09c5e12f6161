"""A key worker's day: the caseload landing page and a person's summary page on PostgreSQL.

    .venv/bin/python bench/caseload_bench.py [--items 1000000] [--runs 200]
        [--database-url postgres://postgres@127.0.0.1:5432/iom_bench_caseload]

Target (issue 14): "My caseload" and the person page (summary first, then the first page of the
timeline) for a key worker with 40 people, in a cohort of 2,000 with 1,000,000 items: p95 under
150 ms. The database is the demo partnership (its protocols, staff and cohort), topped up to a cohort
of 2,000 and to `--items` items through the ordinary bulk write path; it is built once and kept.
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
    from iomshare.partnership.models import Agency, Role, StaffMember
    from iomshare.people.models import CohortMembership, Person, Tier
    from iomshare.records.models import Category, InformationItem, Sensitivity
    from iomshare.records.services import record_items_in_bulk

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
    members = list(current.values_list("person_id", flat=True))
    authors = list(StaffMember.objects.filter(role=Role.PRACTITIONER).exclude(agency=None))
    categories = list(Category.objects.values_list("pk", flat=True))
    remaining = total_items - InformationItem.objects.count()
    while remaining > 0:
        batch = min(50_000, remaining)
        rows = [
            {
                "person_id": rng.choice(members),
                "category_id": rng.choice(categories),
                "sensitivity": Sensitivity.OFFICIAL_SENSITIVE if rng.random() < 0.2 else Sensitivity.OFFICIAL,
                "summary": f"Synthetic bench item {rng.randrange(10**9)}",
                "details": "Synthetic text for the benchmark. " * 4,
                "valid_from": today - dt.timedelta(days=rng.randint(1, 900)),
                "review_by": today + dt.timedelta(days=rng.randint(30, 700)),
            }
            for _ in range(batch)
        ]
        record_items_in_bulk(rows, by=rng.choice(authors))
        remaining -= batch
        progress(f"{total_items - max(remaining, 0):,} items")


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
        "My caseload": "/cohort/mine/",
        "person summary, own agency": f"/cohort/people/{person.pk}/",
        f"person summary, {PURPOSE}": f"/cohort/people/{person.pk}/?purpose={PURPOSE}",
    }
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        values = timed(lambda url=url: client.get(url), args.runs)
        print(f"{name:>40}: p50 {statistics.median(values):6.1f} ms  p95 {percentile(values, 95):6.1f} ms")
    print("target: p95 under 150 ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
