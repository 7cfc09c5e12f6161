"""Import runs: an uploaded extract kept, checked, then imported, with progress a page can show.

The reading and writing of a file is exchange.imports; a run is what a person (or a job) sees of it:
the file kept under the var folder, its status, counts and problems, and the one claim that lets it
be imported once. exchange.runs carries runs out as durable jobs.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import time
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from iomshare.errors import InvalidInput
from iomshare.exchange.imports import Outcome, Progress, check_may_import, import_file
from iomshare.exchange.limits import in_words, read_limits
from iomshare.exchange.models import ImportProfile, ImportRun, RunStatus
from iomshare.jobs import heartbeat
from iomshare.partnership.models import StaffMember

logger = logging.getLogger(__name__)


def _progress_key(run: ImportRun) -> str:
    """Progress travels with the worker's heartbeat: an import's own transaction hides its row counts
    from other connections until it commits."""
    return f"import:{run.pk}"


def upload_dir() -> Path:
    folder = Path(getattr(settings, "IOMSHARE_IMPORT_DIR", settings.VAR_DIR / "imports"))
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def max_upload_bytes() -> int:
    return read_limits().file_bytes


def save_upload(chunks: Iterable[bytes], path: Path, *, command: str) -> tuple[int, str]:
    """Write an upload to `path` as it arrives: its size and SHA-256. Too large or empty, the file is
    removed and the upload refused (`command` is how to bring a larger file in on the server)."""
    digest = hashlib.sha256()
    size = 0
    with path.open("wb") as target:
        for chunk in chunks:
            size += len(chunk)
            if size > max_upload_bytes():
                target.close()
                path.unlink(missing_ok=True)
                too_large = (
                    f"The file is larger than {in_words(max_upload_bytes())}, the most one upload may be"
                )
                raise InvalidInput(
                    f"{too_large}: split it, or bring it in with `{command}` on the server.",
                    field_errors={"file": too_large},
                )
            digest.update(chunk)
            target.write(chunk)
    if size == 0:
        path.unlink(missing_ok=True)
        raise InvalidInput("The file is empty.", field_errors={"file": "The selected file is empty"})
    return size, digest.hexdigest()


def create_run(
    profile: ImportProfile,
    *,
    chunks: Iterable[bytes],
    file_name: str,
    by: StaffMember,
    accept_valid_rows: bool = False,
) -> ImportRun:
    """Keep an uploaded extract and make a run for it, ready to be checked."""
    check_may_import(profile, by)
    run_id = uuid.uuid4()
    suffix = {"csv": ".csv", "json": ".json", "xlsx": ".xlsx"}[profile.file_type]
    path = upload_dir() / f"{run_id}{suffix}"
    size, sha256 = save_upload(chunks, path, command="iomshare import")
    return ImportRun.objects.create(
        id=run_id,
        profile=profile,
        started_by=by,
        file_name=Path(file_name).name[:255] or "extract",
        file_path=str(path),
        file_sha256=sha256,
        file_size=size,
        accept_valid_rows=accept_valid_rows,
    )


def _reporter(run: ImportRun) -> Progress:
    last = {"at": 0.0}

    def report(done: int, total: int) -> None:
        heartbeat.report(_progress_key(run), run.status, done, total)
        now = time.monotonic()
        if not connection.in_atomic_block and now - last["at"] >= 1.0:
            last["at"] = now
            ImportRun.objects.filter(pk=run.pk).update(progress=min(1.0, done / total) if total else 0.0)

    return report


def live_progress(run: ImportRun) -> float:
    """Share of the run's file read so far, from the worker running it (or this process)."""
    _, done, total = heartbeat.progress_of(_progress_key(run)) or ("", 0, 0)
    return max(run.progress, done / total if total else 0.0)


def _save_outcome(run: ImportRun, outcome: Outcome, status: str, **extra: Any) -> None:
    run.status = status
    run.rows_read = outcome.rows_read
    run.rows_valid = outcome.rows_valid
    run.rows_rejected = outcome.rows_rejected
    run.rows_already_imported = outcome.rows_already_imported
    run.problem_count = outcome.problem_count
    run.problems = [problem.as_dict() for problem in outcome.problems]
    run.progress = 1.0
    for name, value in extra.items():
        setattr(run, name, value)
    run.save()
    heartbeat.finished(_progress_key(run))


def check_run(run: ImportRun) -> ImportRun:
    """The dry run: read and check every row, write nothing, keep counts and problems on the run."""
    run.status = RunStatus.CHECKING
    run.save(update_fields=["status"])
    try:
        outcome = import_file(
            run.profile, Path(run.file_path), by=run.started_by, write=False, progress=_reporter(run), run=run
        )
    except Exception as error:
        logger.exception("Import run %s failed while checking", run.pk)
        run.status, run.message = RunStatus.FAILED, f"The check failed: {error}"
        run.save(update_fields=["status", "message"])
        raise
    _save_outcome(run, outcome, RunStatus.CHECKED, checked_at=timezone.now())
    return run


def begin_import(run: ImportRun, *, accept_valid_rows: bool = False) -> ImportRun:
    """Claim a checked run for importing (once: a second click or request is refused)."""
    if run.problem_count and not accept_valid_rows:
        raise InvalidInput(
            f"The file has {run.problem_count} problem{'s' if run.problem_count != 1 else ''}, so nothing was "
            "imported. Correct the file and upload it again, or choose to import the valid rows and take the "
            "rejected rows as a file."
        )
    claimed = ImportRun.objects.filter(pk=run.pk, status=RunStatus.CHECKED).update(
        status=RunStatus.IMPORTING, accept_valid_rows=accept_valid_rows
    )
    if not claimed:
        raise InvalidInput(
            "Only a checked file that is not already imported, or being imported, can be imported."
        )
    run.refresh_from_db()
    return run


def commit_run(run: ImportRun) -> ImportRun:
    """Import a run claimed by `begin_import`: every row if all are valid, or the valid ones if chosen."""
    if run.status != RunStatus.IMPORTING:
        raise InvalidInput("Claim the run with begin_import first.")
    rejects_path = Path(run.file_path).with_suffix(".rejects.csv") if run.accept_valid_rows else None
    try:
        # The items and the run's "imported" commit together: a worker killed in between leaves the run
        # importing and nothing written, so the job picked up again imports it exactly once.
        with (
            transaction.atomic(),
            rejects_path.open("w", newline="", encoding="utf-8")
            if rejects_path
            else contextlib.nullcontext() as rejects,
        ):
            outcome = import_file(
                run.profile,
                Path(run.file_path),
                by=run.started_by,
                write=True,
                accept_valid_rows=run.accept_valid_rows,
                rejects=rejects,
                progress=_reporter(run),
                run=run,
            )
            # An unreadable file imports nothing, even with valid rows accepted (readers are strict).
            refused = bool(outcome.problem_count) and (
                outcome.is_file_unreadable or not run.accept_valid_rows
            )
            if refused:
                transaction.set_rollback(True)
            else:
                _save_outcome(
                    run,
                    outcome,
                    RunStatus.IMPORTED,
                    rows_created=outcome.rows_created,
                    imported_at=timezone.now(),
                    rejects_path=str(rejects_path) if rejects_path else "",
                )
    except Exception as error:
        logger.exception("Import run %s failed while importing", run.pk)
        run.status, run.message = RunStatus.FAILED, f"The import failed and nothing was written: {error}"
        run.save(update_fields=["status", "message"])
        raise
    if refused:
        # The file changed, or a person or mapping changed, since it was checked.
        _save_outcome(
            run,
            outcome,
            RunStatus.CHECKED,
            message="New problems were found while importing, so nothing was written.",
        )
        return run
    Path(run.file_path).unlink(missing_ok=True)
    return run


def in_background() -> bool:
    return getattr(settings, "IOMSHARE_IMPORTS_IN_BACKGROUND", True)


def check_then_import(run: ImportRun) -> ImportRun:
    """Check a run and, if it may be imported (valid, or valid rows accepted), import it at once."""
    check_run(run)
    if run.rows_valid - run.rows_already_imported == 0 or (run.problem_count and not run.accept_valid_rows):
        return run
    return commit_run(begin_import(run, accept_valid_rows=run.accept_valid_rows))
