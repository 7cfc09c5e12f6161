"""Queueing jobs, and giving up on one that stopped."""

from __future__ import annotations

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
