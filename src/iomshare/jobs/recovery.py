"""Jobs whose worker died: picked up again by a live worker, or failed with the reason.

A worker killed mid-job (SIGKILL, a lost machine) leaves its job `RUNNING` with nobody running it.
A live worker puts such a job back in the queue, up to IOMSHARE_JOB_ATTEMPTS attempts; each job is
written so that running it again finishes it exactly once (imports skip keys already imported, and
an import's run is marked imported in the same transaction as its items).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from iomshare.jobs import heartbeat

logger = logging.getLogger(__name__)
WORKER_STOPPED = "iomshare.jobs.WorkerStopped"


def max_attempts() -> int:
    return int(getattr(settings, "IOMSHARE_JOB_ATTEMPTS", 3))


def abandoned_jobs() -> list[tuple[DBTaskResult, heartbeat.Beat | None]]:
    """Running jobs whose worker is dead, with that worker's last beat (None if it never beat)."""
    beats = {beat.worker_id: beat for beat in heartbeat.all_beats()}
    now = timezone.now()
    found = []
    for job in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING):
        owner = beats.get(job.worker_ids[-1]) if job.worker_ids else None
        if owner is not None and owner.is_alive(now):
            continue
        if owner is None and job.started_at and now - job.started_at < heartbeat.timeout():
            continue  # just claimed: its worker's first beat may be on its way
        found.append((job, owner))
    return found


def stopped_reason(owner: heartbeat.Beat | None) -> str:
    if owner is None:
        return "the worker carrying it out stopped without a trace"
    return (
        f"the worker carrying it out (process {owner.pid} on {owner.host}) stopped; "
        f"it was last heard from at {timezone.localtime(owner.beat_at):%H:%M:%S on %d %b %Y}"
    )


def fail_job(job: DBTaskResult, reason: str) -> bool:
    """Mark an unfinished job failed with `reason`, so no worker runs it again; False if it had finished."""
    return bool(
        DBTaskResult.objects.filter(
            pk=job.pk, status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
        ).update(
            status=TaskResultStatus.FAILED,
            finished_at=timezone.now(),
            exception_class_path=WORKER_STOPPED,
            traceback=reason,
        )
    )


def recover() -> list[str]:
    """Put jobs of dead workers back in the queue (or fail them after too many attempts); their ids."""
    recovered = []
    for job, owner in abandoned_jobs():
        reason = stopped_reason(owner)
        if len(job.worker_ids) >= max_attempts():
            if fail_job(job, f"Tried {len(job.worker_ids)} times; each time {reason}."):
                logger.warning("Job %s failed: %s", job.pk, reason)
            continue
        # Guarded by started_at: only the claim we saw is undone, never a newer one.
        requeued = DBTaskResult.objects.filter(
            pk=job.pk, status=TaskResultStatus.RUNNING, started_at=job.started_at
        ).update(status=TaskResultStatus.READY, started_at=None)
        if requeued:
            logger.warning("Job %s put back in the queue: %s", job.pk, reason)
            recovered.append(str(job.pk))
    return recovered
