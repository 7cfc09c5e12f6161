"""Alerts benchmark on PostgreSQL: fan-out rate, event-to-alert latency with a worker, webhook rate.

    .venv/bin/python bench/alerts_bench.py [--events 10000] [--per-event 5] [--latency-samples 20]

1. Fan-out: `--events` cohort events (offending items recorded in bulk), each to `--per-event` key
   workers (10,000 x 5 = 50,000 alerts), each alert decided by the door and put on the ledger.
2. Event to in-app alert with `iomshare worker` running as its own process: an item is recorded (its
   event and fan-out job written in the same transaction) and the time until its alert exists is
   taken, `--latency-samples` times; target p95 < 2 s.
3. Webhook deliveries per second to a receiver on loopback that verifies every signature.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))
WORK = ROOT / "var" / "bench"


def database_url() -> str:
    base = urlsplit(os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/iom_bench"))
    return urlunsplit(base._replace(path=base.path.rstrip("/") + "_alerts"))


def setup(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    WORK.mkdir(parents=True, exist_ok=True)
    os.environ |= {
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "iomshare.settings",
        "IOMSHARE_WORKER_DIR": str(WORK / "alerts-workers"),
        "LEDGER_SIGNING_KEY_FILE": str(WORK / "ledger_signing_key.pem"),
        "LEDGER_TRUSTED_KEYS_DIR": str(WORK / "ledger_trusted_keys"),
    }
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def partnership(people: int, per_event: int):
    from iomshare.partnership.models import Role
    from iomshare.people.models import CohortMembership, Person
    from tests.factories import (
        AgencyFactory,
        ClauseDocumentFactory,
        ProtocolDocumentFactory,
        StaffMemberFactory,
        active_protocol,
    )
    from tests.protocols.conftest import train

    police = AgencyFactory(code="police", name="Northshire Police", kind="police")
    probation = AgencyFactory(code="probation", name="Probation Service North", kind="probation")
    clause = ClauseDocumentFactory(categories=["offending"], recipient_roles=["practitioner", "system"])
    active_protocol(ProtocolDocumentFactory(clauses=[clause]))
    officer = StaffMemberFactory(username="bench.officer", agency=police)
    workers = [
        train(
            StaffMemberFactory(username=f"kw{n}", agency=probation, role=Role.PRACTITIONER),
            "information_sharing",
        )
        for n in range(per_event)
    ]
    system = train(
        StaffMemberFactory(username="probation.system", agency=probation, role=Role.SYSTEM),
        "information_sharing",
    )
    found = Person.objects.bulk_create(
        [Person(given_name="Bench", family_name=f"P{n}") for n in range(people)]
    )
    memberships = CohortMembership.objects.bulk_create(
        [CohortMembership(person=p, tier="fixed", lead_agency=police, started_on="2026-01-01") for p in found]
    )
    through = CohortMembership.key_workers.through
    through.objects.bulk_create(
        [through(cohortmembership_id=m.pk, staffmember_id=w.pk) for m in memberships for w in workers]
    )
    return officer, found, system


def fan_out_figures(officer, people, events: int, per_event: int) -> None:
    from iomshare.alerts import fanout
    from iomshare.alerts.models import Notification
    from iomshare.records.models import Category
    from iomshare.records.services import record_items_in_bulk

    offending = Category.objects.get(code="offending")
    rows = [
        {
            "person_id": people[n % len(people)].pk,
            "category_id": offending.pk,
            "summary": f"Charged, case {n}",
        }
        for n in range(events)
    ]
    record_items_in_bulk(rows, by=officer)
    started = time.perf_counter()
    done = 0
    while count := fanout.fan_out(limit=200):
        done += count
    seconds = time.perf_counter() - started
    alerts = Notification.objects.count()
    assert done == events and alerts == events * per_event, (done, alerts)
    print(
        f"fan-out: {events:,} events to {alerts:,} alerts in {seconds:.1f} s: "
        f"{events / seconds:,.0f} events/s, {alerts / seconds:,.0f} alerts/s (each through the door, on the ledger)",
        flush=True,
    )


def latency_figures(officer, people, samples: int) -> None:
    from iomshare.alerts.models import CohortEvent, Notification
    from iomshare.records.models import Category
    from iomshare.records.services import record_item

    offending = Category.objects.get(code="offending")
    worker = subprocess.Popen(
        [sys.executable, "-m", "iomshare", "worker", "--no-startup-delay", "--interval", "0.1", "-v0"],
        env=os.environ.copy(),
        cwd=ROOT,
    )
    try:
        time.sleep(8)  # let it start (Django, Splink and Cedar load)
        waits = []
        for n in range(-1, samples):  # the first (uncounted) warms the worker: Cedar, grids, connections
            started = time.perf_counter()
            item = record_item(
                by=officer, person=people[n], category=offending, summary=f"Arrested, sample {n}"
            )
            event = CohortEvent.objects.get(item_id=item.pk)
            deadline = started + 120
            while not Notification.objects.filter(event=event).exists():
                if time.perf_counter() > deadline:
                    raise SystemExit("no alert within 120 s: is the worker running?")
                time.sleep(0.02)
            if n >= 0:
                waits.append(time.perf_counter() - started)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    waits.sort()
    p95 = waits[max(0, round(0.95 * len(waits)) - 1)]
    print(
        f"event to in-app alert with a worker: {samples} samples, p50 {statistics.median(waits) * 1000:.0f} ms, "
        f"p95 {p95 * 1000:.0f} ms, max {waits[-1] * 1000:.0f} ms (target p95 < 2 s: {'met' if p95 < 2 else 'NOT met'})",
        flush=True,
    )


def webhook_figures(system, deliveries: int) -> None:
    from standardwebhooks import Webhook

    from iomshare.alerts import webhooks
    from iomshare.alerts.models import CohortEvent, DeliveryStatus, WebhookDelivery, WebhookEndpoint

    secret = webhooks.new_secret()
    verified = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["content-length"]))
            Webhook(secret).verify(body, dict(self.headers))
            verified.append(1)
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    endpoint = WebhookEndpoint.objects.create(
        agency=system.agency, account=system, url=f"http://127.0.0.1:{server.server_port}/", secret=secret
    )
    events = list(CohortEvent.objects.order_by("pk")[:deliveries])
    WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                endpoint=endpoint, event=e, message_id=f"msg_{e.pk}", payload={"type": "cohort.charge"}
            )
            for e in events
        ]
    )
    started = time.perf_counter()
    sent = webhooks.deliver_webhooks.call()
    seconds = time.perf_counter() - started
    server.shutdown()
    delivered = WebhookDelivery.objects.filter(endpoint=endpoint, status=DeliveryStatus.DELIVERED).count()
    assert sent == delivered == len(verified) == len(events), (sent, delivered, len(verified))
    print(
        f"webhooks: {delivered:,} signed deliveries verified by a loopback receiver in {seconds:.1f} s: "
        f"{delivered / seconds:,.0f} deliveries/s (one worker, one at a time)",
        flush=True,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--per-event", type=int, default=5)
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--latency-samples", type=int, default=20)
    parser.add_argument("--webhooks", type=int, default=1000)
    args = parser.parse_args()
    setup(database_url())
    print(f"load average before: {os.getloadavg()[0]:.2f}", flush=True)
    officer, people, system = partnership(args.people, args.per_event)
    fan_out_figures(officer, people, args.events, args.per_event)
    latency_figures(officer, people, args.latency_samples)
    webhook_figures(system, args.webhooks)
    return 0


if __name__ == "__main__":
    sys.exit(main())
