"""The cost of compliance: the sharing decision and the full-picture API on 1,000,000 items.

    .venv/bin/python bench/door_bench.py [--database-url postgres://postgres@127.0.0.1:5432/iom_bench_door]

Targets (issue 4): the full-picture API for a person with 1,000 items in a database of 1,000,000
items on PostgreSQL, p95 under 50 ms, and under 1.5 times the same query with no sharing decision.
The database is the demo partnership (its protocols, staff and 300 people) topped up to 1,000,000
items through the ordinary bulk write path, one person given 1,000 items spread over the agencies;
it is built once and kept between runs.

Measured: the access grid alone; GET /api/v1/persons/{id}/items?purpose=...&limit=100 (the decision,
the one query, redaction, the ledger entry, JSON) through Django's test client; and a bench-only
endpoint that runs the same item query and the same JSON schema with no decision and no ledger.
The two are timed in turn, request by request, so that both meet the same load.
"""

from __future__ import annotations

import argparse
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

TOTAL_ITEMS = 1_000_000
BIG_PICTURE = 1_000
PURPOSE = "risk_management"
RUNS = 500


def default_database_url() -> str:
    base = urlsplit(os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/iom_bench"))
    return urlunsplit(base._replace(path=base.path.rstrip("/") + "_door"))


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
    from django.conf import settings

    settings.ROOT_URLCONF = "door_urls"  # the product's URLs plus the no-decision baseline


def build(progress) -> None:
    """Demo partnership, 10,000 more people, then items through the bulk write path to TOTAL_ITEMS.

    The first demo person gets exactly BIG_PICTURE items; the rest are spread over everyone else
    (about a hundred each), so the person read is one of many in a realistic table.
    """
    import datetime as dt

    from django.core.management import call_command

    from iomshare.demo.generator import load_demo
    from iomshare.partnership.models import Role, StaffMember
    from iomshare.people.models import Person
    from iomshare.records.models import Category, InformationItem, Sensitivity
    from iomshare.records.services import record_items_in_bulk

    call_command("migrate", verbosity=0)
    if InformationItem.objects.count() >= TOTAL_ITEMS:
        return
    progress("loading the demo partnership")
    load_demo(reset=True)
    rng = random.Random(2026)
    Person.objects.bulk_create(
        [
            Person(given_name="Bench", family_name=f"Person{n:05}", date_of_birth=dt.date(1980, 1, 1))
            for n in range(10_000)
        ],
        batch_size=2_000,
    )
    big = the_person()
    others = list(Person.objects.exclude(pk=big.pk).values_list("pk", flat=True))
    authors = list(StaffMember.objects.filter(role=Role.PRACTITIONER).exclude(agency=None))
    categories = list(Category.objects.values_list("pk", flat=True))
    today = dt.date.today()

    def rows(count: int, person_ids) -> list[dict]:
        return [
            {
                "person_id": rng.choice(person_ids),
                "category_id": rng.choice(categories),
                "sensitivity": Sensitivity.OFFICIAL_SENSITIVE if rng.random() < 0.2 else Sensitivity.OFFICIAL,
                "summary": f"Synthetic bench item {rng.randrange(10**9)}",
                "details": "Synthetic text for the benchmark. " * 4,
                "valid_from": today - dt.timedelta(days=rng.randint(1, 900)),
                "review_by": today + dt.timedelta(days=rng.randint(30, 700)),
            }
            for _ in range(count)
        ]

    missing = BIG_PICTURE - InformationItem.objects.filter(person=big).count()
    for n, author in enumerate(authors):
        share = missing // len(authors) + (1 if n < missing % len(authors) else 0)
        if share > 0:
            record_items_in_bulk(rows(share, [big.pk]), by=author)
    remaining = TOTAL_ITEMS - InformationItem.objects.count()
    batch = 50_000
    while remaining > 0:
        record_items_in_bulk(rows(min(batch, remaining), others), by=rng.choice(authors))
        remaining -= batch
        progress(f"{TOTAL_ITEMS - max(remaining, 0):,} items")


def the_person():
    """The demo person whose picture is read: the first by name (the bench people sort after)."""
    from iomshare.people.models import Person

    return Person.objects.exclude(given_name="Bench").order_by("family_name", "given_name").first()


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


def timed_in_turn(first, second, runs: int) -> tuple[list[float], list[float]]:
    """Time two calls alternately, so that both meet the same load on a shared machine."""
    first_ms: list[float] = []
    second_ms: list[float] = []
    first(), second()  # warm caches, as a page already served would
    for _ in range(runs):
        for call, times in ((first, first_ms), (second, second_ms)):
            started = time.perf_counter()
            call()
            times.append((time.perf_counter() - started) * 1000)
    return first_ms, second_ms


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=default_database_url())
    parser.add_argument("--runs", type=int, default=RUNS)
    args = parser.parse_args()
    setup_django(args.database_url)

    from django.test import Client

    from iomshare.partnership.models import StaffMember
    from iomshare.partnership.tokens import issue_token
    from iomshare.protocols.decisions import access_grid
    from iomshare.records.models import InformationItem

    started = time.perf_counter()
    build(lambda message: print(f"  build: {message} ({time.perf_counter() - started:.0f} s)", flush=True))
    total = InformationItem.objects.count()
    person = the_person()
    held = InformationItem.objects.filter(person=person).count()
    viewer = StaffMember.objects.get(username="probation.practitioner")
    _, secret = issue_token(for_staff=viewer, name="door benchmark", by=None)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_HOST="localhost")
    grid_ms = timed(lambda: access_grid(viewer, PURPOSE), args.runs)
    print(f"items in the database: {total:,}; the person holds {held:,}")
    print(
        f"{'access grid':>34}: p50 {statistics.median(grid_ms):6.1f} ms  p95 {percentile(grid_ms, 95):6.1f} ms"
    )
    for limit in (20, 100):  # the API's default page, and its largest
        url = f"/api/v1/persons/{person.pk}/items?purpose={PURPOSE}&limit={limit}"
        plain_url = f"/bench/plain-items/{person.pk}?limit={limit}"
        first = client.get(url)
        assert first.status_code == 200, first.content[:500]
        assert client.get(plain_url).status_code == 200
        api_ms, plain_ms = timed_in_turn(
            lambda url=url: client.get(url), lambda url=plain_url: client.get(url), args.runs
        )
        print(f"page of {limit} (the viewer may see {first.json()['count']:,} of the person's items)")
        for name, values in (("API with the decision", api_ms), ("same query, no decision", plain_ms)):
            print(
                f"{name:>34}: p50 {statistics.median(values):6.1f} ms  p95 {percentile(values, 95):6.1f} ms"
            )
        ratio = percentile(api_ms, 95) / percentile(plain_ms, 95)
        print(f"{'cost of compliance (p95 ratio)':>34}: {ratio:.2f}x (target < 1.5); p95 target < 50 ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
