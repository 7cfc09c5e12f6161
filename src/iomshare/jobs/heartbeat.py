"""Worker heartbeats and the progress they carry (the contract /readyz and the run pages rely on).

Every `iomshare worker` writes a beat each IOMSHARE_WORKER_BEAT seconds: its id, host, pid, the job it
is running and the progress of that job. `live_workers()` lists the workers alive now; a worker is
dead when its process is gone (same host) or it has not beaten for IOMSHARE_WORKER_TIMEOUT seconds.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import socket
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

from iomshare.jobs.models import WorkerHeartbeat

HOST = socket.gethostname()


def timeout() -> dt.timedelta:
    """How long a worker may stay silent before it counts as dead."""
    return dt.timedelta(seconds=float(getattr(settings, "IOMSHARE_WORKER_TIMEOUT", 30)))


def beat_interval() -> float:
    return float(getattr(settings, "IOMSHARE_WORKER_BEAT", 1.0))


@dataclass
class Beat:
    worker_id: str
    host: str
    pid: int
    started_at: dt.datetime
    beat_at: dt.datetime
    task_id: str = ""
    progress: dict[str, list] = field(default_factory=dict)

    def is_alive(self, now: dt.datetime | None = None) -> bool:
        """Alive: on this host, its process still runs; elsewhere, it beat within the timeout."""
        if self.host == HOST:
            return _process_runs(self.pid) and (now or timezone.now()) - self.beat_at < 10 * timeout()
        return (now or timezone.now()) - self.beat_at < timeout()


def _process_runs(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A killed child not yet reaped by its parent is a zombie: it runs no more.
    with contextlib.suppress(OSError):
        if Path(f"/proc/{pid}/stat").read_text().split(") ")[-1].startswith("Z"):
            return False
    return True


def _uses_files() -> bool:
    return connection.vendor == "sqlite"


def worker_dir() -> Path:
    folder = Path(getattr(settings, "IOMSHARE_WORKER_DIR", settings.VAR_DIR / "workers"))
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def write(beat: Beat) -> None:
    """Record `beat` (a file replaced atomically on SQLite; an upsert on PostgreSQL)."""
    if _uses_files():
        path = worker_dir() / f"{beat.worker_id}.json"
        temporary = path.with_suffix(".tmp")
        data = {
            **asdict(beat),
            "started_at": beat.started_at.isoformat(),
            "beat_at": beat.beat_at.isoformat(),
        }
        temporary.write_text(json.dumps(data))
        temporary.replace(path)
        return
    WorkerHeartbeat.objects.update_or_create(
        worker_id=beat.worker_id,
        defaults={
            "host": beat.host,
            "pid": beat.pid,
            "started_at": beat.started_at,
            "beat_at": beat.beat_at,
            "task_id": beat.task_id,
            "progress": beat.progress,
        },
    )


def remove(worker_id: str) -> None:
    """Forget a worker that stopped cleanly."""
    if _uses_files():
        (worker_dir() / f"{worker_id}.json").unlink(missing_ok=True)
    else:
        WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def all_beats() -> list[Beat]:
    """The last beat of every worker known, alive or not."""
    if not _uses_files():
        return [
            Beat(b.worker_id, b.host, b.pid, b.started_at, b.beat_at, b.task_id, b.progress)
            for b in WorkerHeartbeat.objects.all()
        ]
    beats = []
    for path in worker_dir().glob("*.json"):
        with contextlib.suppress(OSError, ValueError, KeyError):
            data = json.loads(path.read_text())
            data["started_at"] = dt.datetime.fromisoformat(data["started_at"])
            data["beat_at"] = dt.datetime.fromisoformat(data["beat_at"])
            beats.append(Beat(**data))
    return beats


def live_workers() -> list[Beat]:
    """The workers alive now (for /readyz: at least one should be)."""
    now = timezone.now()
    return [beat for beat in all_beats() if beat.is_alive(now)]


def beat_of(worker_id: str) -> Beat | None:
    return next((beat for beat in all_beats() if beat.worker_id == worker_id), None)


# -- Progress: what a job reports, carried by its worker's beat to the pages. -------------------------

_progress: dict[str, list] = {}
_progress_lock = threading.Lock()


def report(key: str, step: str, done: int, total: int) -> None:
    """Note how far the work known as `key` has got (read by `progress_of`, in this or another process)."""
    with _progress_lock:
        _progress[key] = [step, done, total]


def finished(key: str) -> None:
    with _progress_lock:
        _progress.pop(key, None)


def local_progress() -> dict[str, list]:
    with _progress_lock:
        return dict(_progress)


def progress_of(key: str) -> tuple[str, int, int] | None:
    """(step, done, total) of `key`: from this process if it runs it, else from a live worker's beat."""
    with _progress_lock:
        if key in _progress:
            step, done, total = _progress[key]
            return step, done, total
    for beat in live_workers():
        if key in beat.progress:
            step, done, total = beat.progress[key]
            return step, done, total
    return None
