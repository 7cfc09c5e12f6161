"""Health check benchmark: the whole page's selector over 2,000 cohort members, 200 staff and
1,000,000 items on PostgreSQL (target: under 1 s).

    .venv/bin/python bench/health_bench.py [--items 1000000] [--people 2000] [--runs 5] [--rebuild]

Items are generated in SQL by the retention benchmark's generator (metadata only); staff, training
records, requests for information and retention reviews are added here. The data are kept between
runs (database iom_bench_health, or BENCH_HEALTH_DATABASE_URL); --rebuild starts again. The timed part
is `governance.health.health_check()`: every figure, table and chart of the page (the HTML
rendering around it adds little).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
import retention_bench  # noqa: E402  (the item generator)

TARGET_SECONDS = 1.0


def default_database_url() -> str:
    if url := os.environ.get("BENCH_HEALTH_DATABASE_URL"):
        return url
    base = urlsplit(os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/iom_bench"))
    return urlunsplit(base._replace(path=base.path.rstrip("/") + "_health"))


def add_partnership(staff: int) -> None:
    """Staff with training and vetting, requests for information and open retention reviews, in SQL."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO partnership_staffmember (password, is_superuser, username, first_name, last_name, "
            "email, is_staff, is_active, date_joined, agency_id, role, is_volunteer, job_title, vetting_level, "
            "vetting_expires_on, session_generation) "
            "SELECT '!', false, 'bench-staff-' || g, 'Bench', 'Staff' || g, '', false, true, now(), "
            "(SELECT id FROM partnership_agency ORDER BY id OFFSET g %% 6 LIMIT 1), 'practitioner', g %% 10 = 0, '', "
            "1, CURRENT_DATE + (g %% 400) - 60, 0 FROM generate_series(1, %s) g",
            [staff],
        )
        cursor.execute(
            "INSERT INTO partnership_trainingrecord (staff_member_id, course, completed_on, expires_on) "
            "SELECT s.id, c, CURRENT_DATE - 300 - (s.id %% 200)::int, CURRENT_DATE + 65 - (s.id %% 200)::int "
            "FROM partnership_staffmember s CROSS JOIN (VALUES ('data_protection'), ('information_sharing')) v(c) "
            "WHERE s.username LIKE 'bench-staff-%%'",
            [],  # with parameters, so %% reads as %
        )
        cursor.execute(
            "INSERT INTO people_cohortmembership_key_workers (cohortmembership_id, staffmember_id) "
            "SELECT m.id, (SELECT min(id) FROM partnership_staffmember WHERE username LIKE 'bench-staff-%%') "
            "FROM people_cohortmembership m WHERE m.ended_on IS NULL AND m.id %% 3 <> 0",
            [],
        )
        cursor.execute("ANALYZE")


def measure(runs: int) -> list[float]:
    from iomshare.governance.health import health_check

    health_check()  # warm: connections, Django's query compilation
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        check = health_check()
        times.append(time.perf_counter() - started)
    figures = check.figures()
    print(
        f"live items {figures['forms.live_items']:,}; cohort members {figures['bearing.cohort_members']:,}; "
        f"staff {figures['training.staff']:,}"
    )
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--people", type=int, default=2_000)
    parser.add_argument("--staff", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    url = default_database_url()
    retention_bench.ensure_database(url, rebuild=args.rebuild)
    retention_bench.setup_django(url)
    from iomshare.records.models import InformationItem

    if not InformationItem.objects.exists():
        retention_bench.generate(args.items, args.people)
        add_partnership(args.staff)
    times = measure(args.runs)
    median = statistics.median(times)
    verdict = "met" if median < TARGET_SECONDS else "NOT met"
    print(
        f"health check: median {median:.3f} s, best {min(times):.3f} s over {args.runs} runs "
        f"(target {TARGET_SECONDS} s: {verdict})"
    )


if __name__ == "__main__":
    main()
