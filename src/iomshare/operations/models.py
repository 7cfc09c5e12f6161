"""What operators need the database to hold: the worker's heartbeat.

A low app: it names no other app's models, so any process (the worker, a sweep) may write here.
"""

from __future__ import annotations

from django.db import models


class WorkerHeartbeat(models.Model):
    """The last sign of life of one worker process, written every few seconds while it runs.

    `/readyz` reads the newest row when a worker is expected (IOMSHARE_WORKER_EXPECTED); the contract
    is in docs/operations.md.
    """

    worker = models.CharField(max_length=200, unique=True, help_text="host:pid, or a name the worker chooses")
    beat_at = models.DateTimeField()
    started_at = models.DateTimeField()
    queues = models.CharField(max_length=200, blank=True)

    class Meta:
        indexes = [models.Index(fields=["-beat_at"], name="operations_heartbeat_recent")]

    def __str__(self) -> str:
        return f"{self.worker} at {self.beat_at:%Y-%m-%d %H:%M:%S}"
