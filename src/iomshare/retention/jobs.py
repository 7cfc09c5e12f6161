"""The daily retention sweep as a durable job: `iomshare retention sweep --queue` (from a timer) queues
it for `iomshare worker`. The sweep commits batch by batch and re-finds only what is still due, so a
sweep picked up again after its worker died finishes the work exactly once."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from iomshare.jobs import heartbeat
from iomshare.retention import sweep


@task()
def sweep_retention(today: str = "") -> dict[str, int | str]:
    """The job: sweep as of `today` (ISO date; empty for today); what it found and did."""
    key = f"retention-sweep:{today or 'today'}"
    done = {"n": 0}

    def found(total: int) -> None:
        heartbeat.report(key, "Acting on items due", 0, total)
        done["total"] = total

    def batch(size: int) -> None:
        done["n"] += size
        heartbeat.report(key, "Acting on items due", done["n"], done.get("total", 0))

    try:
        result = sweep.sweep(dt.date.fromisoformat(today) if today else None, on_found=found, on_batch=batch)
    finally:
        heartbeat.finished(key)
    return {
        "today": result.today.isoformat(),
        "found": result.found,
        "queued_for_review": result.queued_for_review,
        "disposed": result.disposed,
        "anonymised": result.anonymised,
        "held": result.held,
        "expired_extracts": result.expired_extracts,
    }
