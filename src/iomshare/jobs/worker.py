"""`iomshare worker`: django-tasks-db's worker, with a heartbeat and recovery of dead workers' jobs."""

from __future__ import annotations

import logging
import os
import threading

from django.db import connection
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker as DatabaseWorker
from django_tasks_db.models import DBTaskResult

from iomshare.jobs import heartbeat, recovery

logger = logging.getLogger(__name__)


class Worker(DatabaseWorker):
    """Runs queued jobs one at a time; a thread beats every second and requeues dead workers' jobs."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.started_at = timezone.now()
        self.current_task_id = ""
        self._stopped = threading.Event()

    def beat(self) -> None:
        heartbeat.write(
            heartbeat.Beat(
                worker_id=self.worker_id,
                host=heartbeat.HOST,
                pid=os.getpid(),
                started_at=self.started_at,
                beat_at=timezone.now(),
                task_id=self.current_task_id,
                progress=heartbeat.local_progress(),
            )
        )

    def _beating(self) -> None:
        try:
            while not self._stopped.wait(heartbeat.beat_interval()):
                try:
                    self.beat()
                    # On SQLite a running job may hold the one write lock: recover between jobs only.
                    if not self.running_task or connection.vendor != "sqlite":
                        recovery.recover()
                except Exception:
                    logger.exception("Worker %s could not beat or recover", self.worker_id)
        finally:
            connection.close()

    def run(self) -> None:
        self.beat()
        recovery.recover()
        beating = threading.Thread(target=self._beating, name="worker-heartbeat", daemon=True)
        beating.start()
        try:
            super().run()
        finally:
            self._stopped.set()
            beating.join(timeout=5)
            heartbeat.remove(self.worker_id)

    def run_task(self, db_task_result: DBTaskResult) -> None:
        self.current_task_id = str(db_task_result.pk)
        self.beat()
        try:
            super().run_task(db_task_result)
        finally:
            self.current_task_id = ""
