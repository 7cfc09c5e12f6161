"""Queueing jobs, and giving up on one that stopped."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django_tasks.base import Task

from iomshare.jobs import recovery, selectors


def enqueue(task: Task, *args: Any) -> str:
    """Queue `task` (written with the caller's transaction, so it exists only if the change does); its id."""
    return str(task.enqueue(*args).id)


def give_up(job_id: str, reason: str) -> None:
    """Fail a job that stopped, so that no worker carries it on later; the run it served can be restarted."""
    if (found := selectors.job(job_id)) is not None:
        recovery.fail_job(found, reason)


def fail_if_stopped(run: Any, *, failed: str, field: str, message: Callable[[str], str]) -> Any:
    """Mark a running `run` (an import or extract run) failed, with `message(reason)` in `field`, if its
    job stopped for good; give the job up so no worker carries it on later. The run, read afresh."""
    if not run.is_running or not run.job_id or (reason := selectors.why_stopped(run.job_id)) is None:
        return run
    if (
        type(run)
        .objects.filter(pk=run.pk, status=run.status)
        .update(status=failed, **{field: message(reason)})
    ):
        give_up(run.job_id, reason)
    run.refresh_from_db()
    return run
