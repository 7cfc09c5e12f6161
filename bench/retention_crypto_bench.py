"""Retention benchmark: the cost of sealing item content, and how fast disposal goes, on PostgreSQL.

    .venv/bin/python bench/retention_crypto_bench.py [--people 1000] [--items-per-person 100]

Measures (issue 7):
- encryption overhead on the full-picture read: one person's ~100 items fetched and opened, sealed
  against the same content kept in plaintext columns (summary, details, payload jsonb) in a copy
  table; with the data keys already unwrapped (warm) and not (cold: one unwrap per holding agency);
- the model path (query, select_related, open every item) in absolute terms;
- what sealing adds to bulk recording (the import path), per row;
- disposals per second (each disposal replaces its bucket's data key and re-seals the survivors),
  and the master key rotation after them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
AGENCIES = ["police", "probation", "prison", "council", "health", "charity"]


def default_database_url() -> str:
    base = urlsplit(os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/iom_bench"))
    return urlunsplit(base._replace(path=base.path.rstrip("/") + "_retention"))


def ensure_database(database_url: str) -> None:
    import psycopg

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(database_url: str, key_dir: Path) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "iomshare.settings"
    os.environ.setdefault("IOMSHARE_TIMEOUTS", "command")  # building data is a command, not a web request
    # Its own master key file: the rotations below must not touch var/master_keys.
    os.environ["IOMSHARE_MASTER_KEY_FILE"] = str(key_dir / "master_keys")
    work = ROOT / "var" / "bench"
    os.environ.setdefault("LEDGER_SIGNING_KEY_FILE", str(work / "ledger_signing_key.pem"))
    os.environ.setdefault("LEDGER_TRUSTED_KEYS_DIR", str(work / "ledger_trusted_keys"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build(people: int, per_person: int):
    """`people` people, each with `per_person` items spread over six agencies; returns them and the staff."""
    from django.db import connection

    from iomshare.partnership.models import Agency, Role, StaffMember
    from iomshare.people.models import Person
    from iomshare.records.models import Category, DataKey, InformationItem
    from iomshare.records.services import record_items_in_bulk

    with connection.cursor() as cursor:
        cursor.execute(
            f"TRUNCATE {InformationItem._meta.db_table}, {DataKey._meta.db_table}, "
            "records_itemcorrection, ledger_ledgerentry CASCADE"
        )
    staff = {}
    for code in AGENCIES:
        agency, _ = Agency.objects.get_or_create(
            code=code, defaults={"name": code.title(), "kind": code, "is_statutory": code != "charity"}
        )
        staff[code], _ = StaffMember.objects.get_or_create(
            username=f"bench.{code}", defaults={"agency": agency, "role": Role.SYSTEM}
        )
    lead, _ = StaffMember.objects.get_or_create(
        username="bench.ig", defaults={"agency": staff["police"].agency, "role": Role.SYSTEM}
    )
    category, _ = Category.objects.get_or_create(code="contact", defaults={"name": "Contacts"})
    Person.objects.filter(family_name__startswith="Bench").delete()
    folks = Person.objects.bulk_create(
        [
            Person(given_name="Retention", family_name=f"Bench{n}", date_of_birth=dt.date(1990, 1, 1))
            for n in range(people)
        ]
    )
    today = dt.date.today()
    started = time.perf_counter()
    rows = 0
    for index, code in enumerate(AGENCIES):
        share = per_person // len(AGENCIES) + (1 if index < per_person % len(AGENCIES) else 0)
        batch = [
            {
                "person_id": person.pk,
                "category_id": category.pk,
                "summary": f"Contact {n}: seen at the office, discussed housing and the benefits appointment",
                "details": "Engaged well. Reports drug use is down; next appointment booked with the key worker. "
                * 3,
                "payload": {
                    "form": "contact",
                    "version": 1,
                    "answers": {"kind": "OFF", "outcome": "ATTC", "n": n},
                },
                "valid_from": today - dt.timedelta(days=n % 300 + 1),
            }
            for person in folks
            for n in range(share)
        ]
        record_items_in_bulk(batch, by=staff[code])
        rows += len(batch)
    seconds = time.perf_counter() - started
    return folks, lead, rows, seconds


def make_plain_copy() -> None:
    """The same content in plaintext columns (the layout before sealing): the read baseline."""
    from django.db import connection

    from iomshare.records.models import InformationItem

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_plain_items")
        cursor.execute(
            "CREATE TABLE bench_plain_items (id uuid PRIMARY KEY, person_id uuid, holding_agency_id bigint, "
            "category_id bigint, sensitivity int, summary varchar(300), details text, payload jsonb, "
            "recorded_at timestamptz, valid_from date, valid_to date, review_by date, status varchar(10))"
        )
    rows = []
    for item in InformationItem.objects.iterator(chunk_size=5000):
        rows.append(
            (
                item.pk,
                item.person_id,
                item.holding_agency_id,
                item.category_id,
                item.sensitivity,
                item.summary,
                item.details,
                json.dumps(item.payload),
                item.recorded_at,
                item.valid_from,
                item.valid_to,
                item.review_by,
                item.status,
            )
        )
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO bench_plain_items VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)", rows
        )
        cursor.execute("CREATE INDEX ON bench_plain_items (person_id, holding_agency_id)")
        cursor.execute("ANALYZE bench_plain_items")
        cursor.execute("ANALYZE records_informationitem")


COLUMNS = (
    "id, person_id, holding_agency_id, category_id, sensitivity, recorded_at, valid_from, valid_to, review_by"
)


def read_plain(person_id) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {COLUMNS}, summary, details, payload FROM bench_plain_items "
            "WHERE person_id = %s AND status = 'live' ORDER BY recorded_at DESC",
            [person_id],
        )
        rows = cursor.fetchall()
    return sum(len(row[9]) + len(row[10]) + len(row[11]) for row in rows)


def read_sealed(person_id) -> int:
    from django.db import connection

    from iomshare.records import sealing

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {COLUMNS}, sealed_content FROM records_informationitem "
            "WHERE person_id = %s AND status = 'live' ORDER BY recorded_at DESC",
            [person_id],
        )
        rows = cursor.fetchall()
    total = 0
    for row in rows:
        sealed = bytes(row[9])
        cipher = sealing.cipher_for(row[1], row[2], sealing.serial_of(sealed))
        summary, details, payload = sealing.decode_content(
            sealing.open_sealed(cipher, sealing.item_aad(row[0]), sealed)
        )
        total += len(summary) + len(details) + len(payload)
    return total


def read_model(person_id) -> int:
    from iomshare.records.models import InformationItem

    items = list(
        InformationItem.objects.filter(person_id=person_id)
        .live()
        .select_related("holding_agency", "category", "author")
        .order_by("-recorded_at")
    )
    return sum(len(item.summary) + len(item.details) + len(item.payload) for item in items)


def timed(function, people, *, before=None) -> list[float]:
    times = []
    for person in people:
        if before:
            before()
        started = time.perf_counter()
        function(person.pk)
        times.append(time.perf_counter() - started)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--items-per-person", type=int, default=100)
    parser.add_argument("--disposals", type=int, default=500)
    parser.add_argument("--database-url", default=default_database_url())
    args = parser.parse_args()
    ensure_database(args.database_url)
    with tempfile.TemporaryDirectory() as key_dir:
        setup_django(args.database_url, Path(key_dir))
        from iomshare.records import sealing, services
        from iomshare.records.models import DataKey, InformationItem

        folks, lead, rows, seconds = build(args.people, args.items_per_person)
        print(
            f"recorded {rows:,} items for {len(folks):,} people in {seconds:.1f} s: {rows / seconds:,.0f} rows/s"
        )

        # What sealing alone costs a row on the import path: one seal per row, keys already found.
        cipher = sealing.AESGCM(sealing.AESGCM.generate_key(bit_length=256))
        content = sealing.encode_content(
            "Contact 1: seen at the office", "Engaged well. " * 20, {"form": "contact"}
        )
        started = time.perf_counter()
        for n in range(100_000):
            sealing.seal(cipher, 1, sealing.item_aad(folks[n % len(folks)].pk), content)
        print(
            f"sealing one row (AES-GCM, {len(content)} bytes): {(time.perf_counter() - started) * 10:.2f} µs"
        )

        make_plain_copy()
        sample = folks[:200]
        for _ in range(2):  # warm the database's cache
            timed(read_plain, sample)
            timed(read_sealed, sample)
        plain = timed(read_plain, sample)
        warm = timed(read_sealed, sample)
        cold = timed(read_sealed, sample, before=sealing.key_cache.clear)
        model = timed(read_model, sample)
        median = statistics.median
        print(f"full-picture read of {args.items_per_person} items (median of {len(sample)} people):")
        print(f"  plaintext columns      {median(plain) * 1000:7.2f} ms")
        print(
            f"  sealed, keys warm      {median(warm) * 1000:7.2f} ms   ratio {median(warm) / median(plain):.2f}"
        )
        print(
            f"  sealed, keys cold      {median(cold) * 1000:7.2f} ms   ratio {median(cold) / median(plain):.2f}"
        )
        print(f"  through the model      {median(model) * 1000:7.2f} ms (query, select_related, open each)")

        # Disposals: one item of each of `disposals` buckets (the costly case: every one re-keys).
        doomed = []
        for person in folks[-args.disposals :]:
            doomed.append(
                InformationItem.objects.filter(person=person, holding_agency__code="police")
                .values_list("id", flat=True)
                .first()
            )
        started = time.perf_counter()
        certificates = services.dispose_items(
            doomed, by=lead, rule="bench", reason="Benchmark", rotate_master_key=False
        )
        disposal = time.perf_counter() - started
        keys = DataKey.objects.count()
        started = time.perf_counter()
        sealing.rotate_master_key()
        rotation = time.perf_counter() - started
        bucket = args.items_per_person // len(AGENCIES)
        print(
            f"disposed of {len(certificates):,} items (each re-keying a bucket of ~{bucket} items) "
            f"in {disposal:.1f} s: {len(certificates) / disposal:,.0f} disposals/s"
        )
        print(f"master key rotation re-wrapping {keys:,} data keys: {rotation:.2f} s")
        print(f"disposals/s including the rotation: {len(certificates) / (disposal + rotation):,.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
