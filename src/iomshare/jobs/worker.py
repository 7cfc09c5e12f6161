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
        self._beat_lock = threading.Lock()

    def beat(self) -> None:
        with self._beat_lock:
            if not self._stopped.is_set():
                self._write_beat()

    def _write_beat(self) -> None:
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
        beating = threading.Thread(target=self._beating, name="worker-heartbeat", daemon=True)
        try:
            self.beat()
            beating.start()
            recovery.recover()
            super().run()
        finally:
            # Forget this worker first (a second Ctrl+C may cut the rest short); no beat comes after.
            with self._beat_lock:
                self._stopped.set()
                heartbeat.remove(self.worker_id)
            if beating.is_alive():
                beating.join(timeout=5)

    def run_task(self, db_task_result: DBTaskResult) -> None:
        self.current_task_id = str(db_task_result.pk)
        self.beat()
        try:
            super().run_task(db_task_result)
        finally:
            self.current_task_id = ""
