"""Subject access benchmark: a person with many items, two controllers, one pack (target: pack and PDF
of 1,000 released items in under 30 s, so a coordinator never waits on a real request).

    .venv/bin/python bench/subject_access_bench.py [--items 1000]

Runs on its own PostgreSQL database (BENCH_DATABASE_URL with the suffix _sar, recreated each run).
Timed: each controller's review read of its own items (through records.selectors), recording every
decision, assembling, and building the pack and its PDF.
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


def database_url() -> str:
    base = urlsplit(os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/iom_bench"))
    return urlunsplit(base._replace(path=base.path.rstrip("/") + "_sar"))


def fresh_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def timed(label: str, action):
    started = time.perf_counter()
    result = action()
    print(f"{label:<48} {time.perf_counter() - started:8.2f} s", flush=True)
    return result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=1000)
    args = parser.parse_args()
    url = database_url()
    fresh_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "iomshare.settings"
    os.environ.setdefault("IOMSHARE_TIMEOUTS", "command")  # building data is a command, not a web request
    os.environ.setdefault("IOMSHARE_MASTER_KEY_FILE", str(ROOT / "var" / "bench" / "sar_master_keys"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from iomshare.partnership.models import Agency, Role, StaffMember
    from iomshare.people.models import CohortMembership, Person
    from iomshare.records import selectors as records
    from iomshare.records.models import Category, InformationItem
    from iomshare.subject_access import selectors, services
    from iomshare.subject_access.models import Exemption, Outcome
    from iomshare.subject_access.pdf import pack_pdf

    today = timezone.localdate()
    agencies = [
        Agency.objects.create(code=code, name=name, kind=code, is_statutory=True)
        for code, name in (("police", "Northshire Police"), ("probation", "Probation Service North"))
    ]
    leads = [
        StaffMember.objects.create(username=f"{a.code}.ig", agency=a, role=Role.IG_LEAD) for a in agencies
    ]
    person = Person.objects.create(
        given_name="Jordan", family_name="Whitlock", date_of_birth=dt.date(1990, 5, 17)
    )
    CohortMembership.objects.create(person=person, tier="fixed", lead_agency=agencies[0], started_on=today)
    category = Category.objects.get(code="contact")
    InformationItem.objects.bulk_create(
        InformationItem(
            person=person,
            holding_agency=agencies[n % 2],
            author=leads[n % 2],
            category=category,
            summary=f"Synthetic contact {n}",
            details="Met at the office; discussed accommodation and employment. " * 3,
            payload={"answers": {"contact_type": "office", "outcome": "attended", "notes": "Synthetic."}},
            valid_from=today - dt.timedelta(days=n % 700),
            review_by=today + dt.timedelta(days=365),
        )
        for n in range(args.items)
    )
    print(f"{args.items} items about one person, held by two agencies; PostgreSQL {url.rsplit('/', 1)[-1]}")
    sar = services.record_request(person, received_on=today, made_by="person", by=leads[0])
    services.record_identity_check(sar, checked_on=today, method="Passport", by=leads[0])
    for lead in leads:
        own = timed(
            f"{lead.agency.code}: read its own items",
            lambda lead=lead: records.subject_access_own_items(sar, by=lead),
        )

        def decide_all(lead=lead, own=own) -> None:
            for index, item in enumerate(own):
                fields = {name for name, _ in records.item_fields(item)}
                if index % 10 == 0:
                    services.decide_item(
                        sar,
                        item.pk,
                        outcome=Outcome.EXEMPT,
                        exemption=Exemption.CRIME,
                        fields=fields,
                        by=lead,
                    )
                elif index % 10 == 1:
                    services.decide_item(
                        sar,
                        item.pk,
                        outcome=Outcome.REDACT,
                        redacted_fields=["notes"],
                        exemption=Exemption.THIRD_PARTY,
                        fields=fields,
                        by=lead,
                    )
                else:
                    services.decide_item(sar, item.pk, outcome=Outcome.RELEASE, fields=fields, by=lead)
            services.confirm_response(sar, by=lead)

        timed(f"{lead.agency.code}: decide on {len(own)} items and confirm", decide_all)
    timed("coordinator: assemble", lambda: services.assemble_pack(sar, by=leads[0]))
    pack = timed(
        "coordinator: read the released items (the pack)", lambda: selectors.pack_for(sar, by=leads[0])
    )
    pdf = timed(f"coordinator: PDF of {len(pack.entries)} records", lambda: pack_pdf(pack))
    print(f"PDF size {len(pdf) / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
