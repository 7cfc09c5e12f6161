"""Readiness of the job worker, read from the heartbeats `iomshare worker` writes (iomshare.jobs.heartbeat).

`/readyz` asks for a live worker only when one is expected (IOMSHARE_WORKER_EXPECTED): a deployment
that runs the worker says so, and a web process alone is then not ready without it.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from iomshare.jobs import heartbeat


def worker_check() -> tuple[bool, str]:
    """(ok, what to say) for readiness: fine when no worker is expected, else at least one live worker."""
    if not settings.IOMSHARE_WORKER_EXPECTED:
        return True, "no worker expected"
    beats = heartbeat.all_beats()
    if not beats:
        return False, "no worker has ever reported"
    now = timezone.now()
    live = [beat for beat in beats if beat.is_alive(now)]
    if not live:
        age = now - max(beat.beat_at for beat in beats)
        return False, f"the newest worker heartbeat is {int(age.total_seconds())} s old"
    return True, f"{len(live)} worker{'s' if len(live) > 1 else ''} alive"
