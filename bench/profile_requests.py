"""Where one API request's time goes: the load bench's three kinds of request, profiled in process.

    .venv/bin/python bench/profile_requests.py [--database-url URL] [--requests 100] [--top 25]

Uses the load bench's database (built by bench/load_bench.py) and its key files. Each kind (a read of
a person's items for a purpose, a search by family name, a write of an accommodation note) is sent
`--requests` times through Django's test client with a practitioner's bearer token, under cProfile,
after a warm-up. Prints, per kind, the mean wall time and SQL queries a request and the functions with
the most cumulative time. CPU shares stay meaningful on a busy machine; absolute times do not.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import random
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from load_bench import default_database_url, key_environment, setup_django  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=default_database_url())
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--kind", choices=["read", "search", "write"], action="append")
    args = parser.parse_args()
    import os

    os.environ.update(key_environment())
    setup_django(args.database_url)

    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from iomshare.partnership.models import StaffMember
    from iomshare.partnership.tokens import Scope, issue_token
    from iomshare.people.api import visible_people
    from iomshare.protocols.decisions import purposes_for

    staff = StaffMember.objects.get(username="probation.practitioner")
    _token, secret = issue_token(for_staff=staff, name="profile", scopes=(Scope.READ, Scope.WRITE), by=None)
    purpose = purposes_for(staff)[0].code
    people = list(visible_people(staff).values_list("pk", "family_name")[:200])
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}", SERVER_NAME="localhost")
    rng = random.Random(19)

    def send(kind: str) -> int:
        person, family_name = rng.choice(people)
        if kind == "read":
            query = urlencode({"purpose": purpose, "limit": 20})
            return client.get(f"/api/v1/persons/{person}/items?{query}").status_code
        if kind == "search":
            return client.get(f"/api/v1/persons?{urlencode({'q': family_name, 'limit': 20})}").status_code
        note = {"category": "accommodation", "summary": "Profile: checked in at the hostel"}
        return client.post(
            f"/api/v1/persons/{person}/items", note, content_type="application/json"
        ).status_code

    for kind in args.kind or ["read", "search", "write"]:
        for _ in range(10):  # warm-up: caches, the grid, connections
            assert send(kind) in (200, 201), kind
        profile = cProfile.Profile()
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            profile.enable()
            for _ in range(args.requests):
                send(kind)
            profile.disable()
            elapsed = time.perf_counter() - started
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(args.top)
        print(
            f"== {kind}: {elapsed / args.requests * 1000:.1f} ms and "
            f"{len(queries) / args.requests:.1f} queries a request ({args.requests} requests)"
        )
        print(out.getvalue())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
