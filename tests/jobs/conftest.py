"""The worker as its own process, against a database this test process can see too.

On PostgreSQL that is the test database itself. pytest-django's SQLite test database lives in this
process's memory, so it is copied to a file the worker opens, and results are read back from that file
and results are read back from that file (`worker_db.row`).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.browser.conftest import reseed_reference_data
from tests.exchange.imports.conftest import (  # noqa: F401 (the importing partnership's fixtures)
    contacts_profile,
    partnership,
    people,
    probation_ig,
)

ROOT = Path(__file__).resolve().parents[2]


class WorkerDatabase:
    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.is_copy = connection.vendor == "sqlite"
        self.file = tmp_path / "worker.sqlite3"
        self.processes: list[subprocess.Popen] = []

    def database_url(self) -> str:
        if self.is_copy:
            return f"sqlite:///{self.file}"
        s = connection.settings_dict
        return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"

    def publish(self) -> None:
        """Make what this test wrote visible to the worker (SQLite: copy the database to its file)."""
        if not self.is_copy:
            return
        connection.ensure_connection()
        import sqlite3

        target = sqlite3.connect(self.file)
        connection.connection.backup(target)
        target.close()

    def row(self, sql: str, params: tuple = ()) -> tuple | None:
        """The first row `sql` (with %s placeholders) finds in the database the worker uses."""
        if not self.is_copy:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchone()
        import sqlite3

        with contextlib.closing(sqlite3.connect(self.file, timeout=20)) as db:
            return db.execute(sql.replace("%s", "?"), params).fetchone()

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "DATABASE_URL": self.database_url(),
            "SECRET_KEY": settings.SECRET_KEY,
            "IOMSHARE_MASTER_KEY_FILE": str(settings.IOMSHARE_MASTER_KEY_FILE),
            "IOMSHARE_WORKER_DIR": str(settings.IOMSHARE_WORKER_DIR),
            "IOMSHARE_WORKER_BEAT": "0.2",
            "IOMSHARE_WORKER_TIMEOUT": str(settings.IOMSHARE_WORKER_TIMEOUT),
            "DJANGO_SETTINGS_MODULE": "iomshare.settings",
        }

    def start_worker(self) -> subprocess.Popen:
        process = subprocess.Popen(
            [sys.executable, "-m", "iomshare", "worker", "--no-startup-delay", "--interval", "0.2", "-v0"],
            env=self.env(),
            cwd=ROOT,
        )
        self.processes.append(process)
        return process

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


def wait_for(condition, *, timeout: float = 60, what: str = "the condition"):
    """Poll `condition` until it returns something truthy; fail naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := condition():
            return found
        time.sleep(0.05)
    pytest.fail(f"Timed out after {timeout}s waiting for {what}")


@pytest.fixture
def worker_db(transactional_db, settings, tmp_path):
    settings.IOMSHARE_WORKER_DIR = tmp_path / "workers"
    settings.IOMSHARE_WORKER_TIMEOUT = 5
    reseed_reference_data()  # an earlier transactional test may have flushed what migrations seed
    database = WorkerDatabase(tmp_path)
    yield database
    database.stop_all()
