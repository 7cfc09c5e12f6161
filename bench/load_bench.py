"""Load: 50 concurrent API clients on loopback against `iomshare serve` on PostgreSQL.

    .venv/bin/python bench/load_bench.py [--database-url postgres://postgres@127.0.0.1:5432/iomshare_ops_bench]
                                         [--clients 50] [--seconds 60] [--max-requests 30000] [--threads 16]

Targets (issue 19): 0 server errors, p95 under 500 ms, every ledger entry reconciled.
The database is the demo partnership (300 people, 30,000 sealed items), built once and kept. The
server is a separate `iomshare serve` process; each client thread keeps one HTTP/1.1 connection and
sends, in a fixed mix, reads of a person's items for a purpose, searches and writes of a new item,
each with its own X-Request-ID. Afterwards every successful response is matched to its ledger entry
by request id: exactly one entry, of the action the request must leave (view, search, item_recorded).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

PRACTITIONERS = [
    "police.practitioner",
    "probation.practitioner",
    "council.practitioner",
    "health.practitioner",
    "prison.practitioner",
]
# kind -> (share of requests, the ledger action a successful one must leave)
MIX = {"read": (0.6, "view"), "search": (0.25, "search"), "write": (0.15, "item_recorded")}
KEYS = ROOT / "var" / "bench" / "load"


def default_database_url() -> str:
    base = urlsplit(os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/iom_bench"))
    return urlunsplit(base._replace(path=base.path.rstrip("/") + "_load"))


def key_environment() -> dict[str, str]:
    return {
        "IOMSHARE_MASTER_KEY_FILE": str(KEYS / "master_keys"),
        "LEDGER_SIGNING_KEY_FILE": str(KEYS / "ledger_signing_key.pem"),
        "LEDGER_TRUSTED_KEYS_DIR": str(KEYS / "ledger_trusted_keys"),
    }


def setup_django(database_url: str) -> None:
    from ledger_bench import ensure_database

    ensure_database(database_url)
    os.environ.update({"DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "iomshare.settings"})
    os.environ.update(key_environment())
    os.environ.setdefault("IOMSHARE_TIMEOUTS", "command")
    import django

    django.setup()


class Practitioner:
    """What a practitioner's case system knows before the run: its token, a purpose, people it may see."""

    def __init__(self, username: str, secret: str, purpose: str, people: list[tuple[str, str]]) -> None:
        self.username, self.secret, self.purpose = username, secret, purpose
        self.person_ids = [person_id for person_id, _name in people]
        self.names = sorted({name[:4] for _id, name in people})


def build() -> list[Practitioner]:
    """The demo partnership (once), and a fresh API token for each practitioner."""
    from django.core.management import call_command

    from iomshare.demo.generator import load_demo
    from iomshare.partnership.models import StaffMember
    from iomshare.partnership.tokens import Scope, issue_token
    from iomshare.people.api import visible_people
    from iomshare.people.models import Person
    from iomshare.protocols.decisions import purposes_for

    call_command("migrate", verbosity=0)
    if not Person.objects.exists():
        print("building the demo partnership (once)...", flush=True)
        load_demo(reset=True)
    practitioners = []
    for username in PRACTITIONERS:
        staff = StaffMember.objects.get(username=username)
        purposes = purposes_for(staff)
        people = [
            (str(pk), name) for pk, name in visible_people(staff).values_list("pk", "family_name")[:200]
        ]
        # Reads and writes, as a case system's token would (tokens are read-only unless asked).
        _token, secret = issue_token(
            for_staff=staff, name="load bench", scopes=(Scope.READ, Scope.WRITE), by=None
        )
        practitioners.append(Practitioner(username, secret, purposes[0].code if purposes else "", people))
    return practitioners


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(database_url: str, port: int, threads: int) -> subprocess.Popen:
    environment = os.environ | key_environment() | {"DATABASE_URL": database_url, "LOG_LEVEL": "WARNING"}
    environment.pop("IOMSHARE_TIMEOUTS", None)  # the server keeps the web timeouts
    KEYS.mkdir(parents=True, exist_ok=True)
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "iomshare"), "serve", "--port", str(port), "--threads", str(threads)],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=(KEYS / f"server-{port}.log").open("w"),  # JSON log lines; waitress queue warnings
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise SystemExit("the server did not answer /healthz within 60 s")


class Client:
    """One keep-alive connection acting as one practitioner's case system."""

    def __init__(self, port: int, secret: str) -> None:
        self.port = port
        self.headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, str, bytes]:
        request_id = uuid.uuid4().hex
        data = json.dumps(body).encode() if body is not None else None
        try:
            self.connection.request(
                method, path, body=data, headers=self.headers | {"X-Request-ID": request_id}
            )
            response = self.connection.getresponse()
            return response.status, response.getheader("X-Request-ID", ""), response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            return 0, request_id, b""


def run_clients(ports, practitioners, clients, seconds, max_requests, seed):
    results: list[tuple[str, int, str, float]] = []  # kind, status, request id, seconds
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    budget = iter(range(max_requests))
    kinds, weights = list(MIX), [share for share, _action in MIX.values()]

    def work(index: int) -> None:
        practitioner = practitioners[index % len(practitioners)]
        purpose, people, names = practitioner.purpose, practitioner.person_ids, practitioner.names
        client = Client(ports[index % len(ports)], practitioner.secret)  # spread as a proxy would
        rng = random.Random(seed + index)
        while time.monotonic() < deadline:
            with lock:
                if next(budget, None) is None:
                    return
            kind = rng.choices(kinds, weights)[0]
            person = rng.choice(people)
            started = time.perf_counter()
            if kind == "read":
                query = urlencode({"purpose": purpose, "limit": 20})
                status, request_id, _ = client.call("GET", f"/api/v1/persons/{person}/items?{query}")
            elif kind == "search":
                query = urlencode({"q": rng.choice(names), "limit": 20})
                status, request_id, _ = client.call("GET", f"/api/v1/persons?{query}")
            else:
                note = {"category": "accommodation", "summary": "Load bench: checked in at the hostel"}
                status, request_id, _ = client.call("POST", f"/api/v1/persons/{person}/items", note)
            elapsed = time.perf_counter() - started
            with lock:
                results.append((kind, status, request_id, elapsed))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, time.perf_counter() - started


def server_side(ports: list[int]) -> dict[str, float]:
    """Mean time inside the servers (from their /metrics), to tell queueing from work."""
    total = count = 0.0
    for port in ports:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", "/metrics")
        for line in connection.getresponse().read().decode().splitlines():
            if line.startswith("iomshare_http_request_duration_seconds_sum{") and 'route="api-v1:' in line:
                total += float(line.rsplit(" ", 1)[1])
            elif (
                line.startswith("iomshare_http_request_duration_seconds_count{") and 'route="api-v1:' in line
            ):
                count += float(line.rsplit(" ", 1)[1])
    return {"server_requests": count, "server_mean_ms": round(total / count * 1000, 1) if count else 0.0}


def reconcile(results) -> tuple[int, int, list[str]]:
    """(successes, reconciled, first few mismatches): each success has exactly one entry of its action."""
    from iomshare.ledger.models import LedgerEntry

    succeeded = {request_id: kind for kind, status, request_id, _s in results if 200 <= status < 300}
    found: dict[str, Counter] = {}
    ids = list(succeeded)
    for start in range(0, len(ids), 5000):
        rows = LedgerEntry.objects.filter(request_id__in=ids[start : start + 5000]).values_list(
            "request_id", "action"
        )
        for request_id, action in rows:
            found.setdefault(request_id, Counter())[action] += 1
    mismatches = []
    for request_id, kind in succeeded.items():
        if found.get(request_id) != Counter({MIX[kind][1]: 1}):
            mismatches.append(f"{kind} {request_id}: {dict(found.get(request_id, {}))}")
    return len(succeeded), len(succeeded) - len(mismatches), mismatches[:5]


def percentile(sorted_values: list[float], share: float) -> float:
    if not sorted_values:
        return 0.0
    return sorted_values[min(len(sorted_values) - 1, int(share * len(sorted_values)))]


def report(results, wall: float, reconciled: tuple[int, int, list[str]]) -> dict:
    def figures(rows):
        times = sorted(r[3] for r in rows)
        return {
            "requests": len(rows),
            "p50_ms": round(percentile(times, 0.50) * 1000, 1),
            "p95_ms": round(percentile(times, 0.95) * 1000, 1),
            "p99_ms": round(percentile(times, 0.99) * 1000, 1),
            "mean_ms": round(statistics.fmean(times) * 1000, 1) if times else 0.0,
        }

    statuses = Counter(r[1] for r in results)
    successes, matched, mismatches = reconciled
    return {
        "wall_seconds": round(wall, 1),
        "requests_per_second": round(len(results) / wall, 1),
        "all": figures(results),
        "by_kind": {kind: figures([r for r in results if r[0] == kind]) for kind in MIX},
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "server_errors": sum(v for k, v in statuses.items() if k >= 500),
        # A refusal is a failed run too: the mix sends only what its practitioners may do.
        "client_errors": sum(v for k, v in statuses.items() if 400 <= k < 500),
        "connection_errors": statuses.get(0, 0),
        "successes": successes,
        "entries_reconciled": matched,
        "mismatches": mismatches,
        "load_average": os.getloadavg(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=default_database_url())
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--max-requests", type=int, default=30_000)
    parser.add_argument("--threads", type=int, default=8, help="waitress threads in each server process")
    parser.add_argument(
        "--processes", type=int, default=2, help="server processes (one a core), as behind a proxy"
    )
    parser.add_argument("--seed", type=int, default=19)
    arguments = parser.parse_args()

    setup_django(arguments.database_url)
    practitioners = build()
    ports = [free_port() for _ in range(arguments.processes)]
    servers = [start_server(arguments.database_url, port, arguments.threads) for port in ports]
    try:
        print(f"load average before: {os.getloadavg()}", flush=True)
        results, wall = run_clients(
            ports, practitioners, arguments.clients, arguments.seconds, arguments.max_requests, arguments.seed
        )
        inside = server_side(ports)
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)
    figures = report(results, wall, reconcile(results)) | inside
    figures["setup"] = {
        "clients": arguments.clients,
        "processes": arguments.processes,
        "threads": arguments.threads,
    }
    print(json.dumps(figures, indent=2))
    ok = (
        figures["server_errors"] == 0
        and figures["client_errors"] == 0
        and figures["connection_errors"] == 0
        and figures["entries_reconciled"] == figures["successes"]
    )
    print(
        f"\n{figures['requests_per_second']} requests/s; p50 {figures['all']['p50_ms']} ms, "
        f"p95 {figures['all']['p95_ms']} ms, p99 {figures['all']['p99_ms']} ms; "
        f"{figures['server_errors']} server errors, {figures['client_errors']} refused; {figures['entries_reconciled']}/{figures['successes']} "
        f"entries reconciled; p95 target 500 ms {'met' if figures['all']['p95_ms'] < 500 else 'NOT met'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
