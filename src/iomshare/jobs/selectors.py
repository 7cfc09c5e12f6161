"""What a page needs to know about a job: has it stopped for good, and why."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from iomshare.jobs import heartbeat, recovery


def job(job_id: str) -> DBTaskResult | None:
    return DBTaskResult.objects.filter(pk=job_id).first() if job_id else None


def why_stopped(job_id: str) -> str | None:
    """Why the job will not finish, in words for its page; None while it is queued, running or done.

    A job whose worker died is picked up again by any live worker (jobs.recovery); only when no worker
    is alive past the timeout, or the job ran out of attempts, has it stopped for good.
    """
    found = job(job_id)
    if found is None:
        return None
    if found.status == TaskResultStatus.FAILED and found.exception_class_path == recovery.WORKER_STOPPED:
        return found.traceback
    if found.status not in {TaskResultStatus.READY, TaskResultStatus.RUNNING} or heartbeat.live_workers():
        return None
    waited = timezone.now() - (
        found.enqueued_at if found.status == TaskResultStatus.READY else found.started_at
    )
    if waited < heartbeat.timeout():
        return None
    if found.status == TaskResultStatus.READY:
        return "No worker is running to carry it out (an administrator starts one with `iomshare worker`)."
    owner = heartbeat.beat_of(found.worker_ids[-1]) if found.worker_ids else None
    if owner is not None and owner.is_alive():
        return None
    return f"{recovery.stopped_reason(owner).capitalize()}, and no other worker is running to pick it up."
