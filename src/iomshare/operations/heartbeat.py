"""The worker heartbeat: how a worker says it is alive, and how readiness reads it.

Contract (docs/operations.md): a worker calls `beat(worker=...)` at least every
IOMSHARE_WORKER_HEARTBEAT_SECONDS; `/readyz` fails when a worker is expected and no heartbeat is
newer than twice that.
"""

from __future__ import annotations

import datetime as dt
import os
import socket

from django.conf import settings
from django.utils import timezone

from iomshare.operations.models import WorkerHeartbeat


def this_process() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def beat(*, worker: str | None = None, queues: str = "") -> WorkerHeartbeat:
    """Record that `worker` (this process by default) is alive now."""
    now = timezone.now()
    heartbeat, created = WorkerHeartbeat.objects.get_or_create(
        worker=worker or this_process(), defaults={"beat_at": now, "started_at": now, "queues": queues}
    )
    if not created:
        WorkerHeartbeat.objects.filter(pk=heartbeat.pk).update(beat_at=now, queues=queues)
        heartbeat.beat_at = now
    return heartbeat


def stale_after() -> dt.timedelta:
    return dt.timedelta(seconds=2 * settings.IOMSHARE_WORKER_HEARTBEAT_SECONDS)


def newest_beat() -> dt.datetime | None:
    return WorkerHeartbeat.objects.order_by("-beat_at").values_list("beat_at", flat=True).first()


def worker_check() -> tuple[bool, str]:
    """(ok, what to say) for readiness: fine when no worker is expected, else a fresh heartbeat."""
    if not settings.IOMSHARE_WORKER_EXPECTED:
        return True, "no worker expected"
    newest = newest_beat()
    if newest is None:
        return False, "no worker has ever reported"
    age = timezone.now() - newest
    if age > stale_after():
        return False, f"the newest worker heartbeat is {int(age.total_seconds())} s old"
    return True, f"heartbeat {int(age.total_seconds())} s ago"
