"""Prometheus metrics (prometheus-client): requests, latencies, ledger appends, import rows, job queue.

Request and ledger figures are counted in each process as they happen; import rows and the job queue
are read from the database when scraped, so every process reports the same, true figures. No metric
carries a person, a username or a URL with an id in it: requests are labelled by their route name.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

access_log = logging.getLogger("iomshare.access")

REQUESTS = Counter(
    "iomshare_http_requests",
    "HTTP requests answered, by method, route name and status.",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "iomshare_http_request_duration_seconds",
    "Time to answer a request (until the response is returned; a streamed body is not included).",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 15.0, 30.0),
)
LEDGER_APPENDS = Counter(
    "iomshare_ledger_entries_appended", "Ledger entries appended by this process, by action.", ["action"]
)


def route_of(request) -> str:
    """The matched URL pattern's name (never the path, which can hold a person's id)."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    return match.view_name or "unnamed"


def count_ledger_appends(actions: Iterable[str]) -> None:
    for action in actions:
        LEDGER_APPENDS.labels(action=str(action)).inc()


class MetricsMiddleware:
    """Counts each request and times it, labelled by method, route name and status."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        seconds = time.perf_counter() - started
        route = route_of(request)
        LATENCY.labels(method=request.method, route=route).observe(seconds)
        REQUESTS.labels(method=request.method, route=route, status=str(response.status_code)).inc()
        access_log.info(
            "%s %s %s",
            request.method,
            route,
            response.status_code,
            extra={"route": route, "status": response.status_code, "duration_ms": round(seconds * 1000, 1)},
        )
        return response


def job_queue_depth() -> dict[str, int]:
    """Work waiting for a worker, by queue: django-tasks' ready tasks when installed, and queued imports."""
    from django.apps import apps
    from django.db.models import Count

    from iomshare.exchange.models import ImportRun, RunStatus

    depth = {"imports": ImportRun.objects.filter(status=RunStatus.QUEUED).count()}
    try:
        task_results = apps.get_model("django_tasks_database", "DBTaskResult")
    except LookupError:
        return depth
    for row in task_results.objects.filter(status="READY").values("queue_name").annotate(n=Count("pk")):
        depth[f"tasks:{row['queue_name']}"] = row["n"]
    return depth


class DatabaseFigures(Collector):
    """Import rows and queue depth, read from the database at scrape time."""

    def collect(self):
        from django.db.models import Sum

        from iomshare.exchange.models import ImportRun

        sums = ImportRun.objects.aggregate(
            read=Sum("rows_read"),
            valid=Sum("rows_valid"),
            rejected=Sum("rows_rejected"),
            already_imported=Sum("rows_already_imported"),
            created=Sum("rows_created"),
        )
        rows = CounterMetricFamily(
            "iomshare_import_rows", "Rows of every import run so far, by outcome.", labels=["outcome"]
        )
        for outcome, total in sums.items():
            rows.add_metric([outcome], float(total or 0))
        yield rows
        queue = GaugeMetricFamily(
            "iomshare_job_queue_depth", "Jobs waiting for a worker, by queue.", labels=["queue"]
        )
        for name, waiting in job_queue_depth().items():
            queue.add_metric([name], float(waiting))
        yield queue


# A registry of its own, so the database is read only when /metrics is scraped, never at start-up.
_database_registry = CollectorRegistry(auto_describe=False)
_database_registry.register(DatabaseFigures())


def exposition() -> bytes:
    """Every metric in Prometheus' text format: this process's counters, then the database's figures."""
    return generate_latest(REGISTRY) + generate_latest(_database_registry)
