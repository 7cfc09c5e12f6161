"""The heartbeat of each `iomshare worker`: who is alive, what it is doing, how far it has got.

On PostgreSQL the heartbeat is this table (workers may run on other machines). On SQLite it is a file
per worker under IOMSHARE_WORKER_DIR instead (jobs.heartbeat): SQLite has one writer, and a worker in
the middle of an import holds it, so a heartbeat written to the database would wait for the import.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class WorkerHeartbeat(models.Model):
    worker_id = models.CharField(max_length=64, primary_key=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    beat_at = models.DateTimeField(default=timezone.now)
    task_id = models.CharField(max_length=64, blank=True, help_text="The job it is running, if any.")
    progress = models.JSONField(default=dict, help_text="Progress key -> [step, done, total].")

    class Meta:
        ordering = ["-beat_at"]

    def __str__(self) -> str:
        return f"Worker {self.worker_id} on {self.host} (pid {self.pid})"
