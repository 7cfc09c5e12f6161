"""Import runs as durable jobs: queued with the run, carried out by `iomshare worker`, resumable.

A run's job may be carried out more than once (its worker died and another picked it up); each step
starts from what the run says is done, and an import's items and its "imported" status commit
together, so a run finishes exactly once. A run whose job stopped for good is marked failed with the
reason and can be restarted.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path

from django.db import transaction
from django_tasks import task

from iomshare.errors import InvalidInput
from iomshare.exchange import import_runs, imports
from iomshare.exchange.models import ImportRun, RunStatus
from iomshare.jobs import services as jobs
from iomshare.partnership.models import StaffMember

# Which statuses each kind of work may (re)start from: anything later means it is already done.
STARTS_FROM = {
    "check_run": {RunStatus.QUEUED, RunStatus.CHECKING},
    "commit_run": {RunStatus.IMPORTING},
    "check_then_import": {RunStatus.QUEUED, RunStatus.CHECKING, RunStatus.CHECKED, RunStatus.IMPORTING},
}


def _load(run_id: str) -> ImportRun:
    return ImportRun.objects.select_related("profile__agency", "profile__form", "started_by").get(pk=run_id)


@task()
def carry_on_import_run(run_id: str, work: str) -> str:
    """The job: carry `run` on from where it is (check, import, or both); its final status."""
    run = _load(run_id)
    if run.status not in STARTS_FROM[work]:
        return run.status
    if work == "check_run":
        import_runs.check_run(run)
    elif work == "commit_run" or run.status == RunStatus.IMPORTING:
        import_runs.commit_run(run)
    elif run.status == RunStatus.CHECKED:
        # Checked before the worker stopped: import if the check allows it, as check_then_import would.
        if run.rows_valid - run.rows_already_imported and (run.accept_valid_rows or not run.problem_count):
            import_runs.commit_run(import_runs.begin_import(run, accept_valid_rows=run.accept_valid_rows))
    else:
        import_runs.check_then_import(run)
    return _load(run_id).status


def start(work: Callable[[ImportRun], ImportRun], run: ImportRun) -> None:
    """Queue `work` on `run` for a worker; with IOMSHARE_IMPORTS_IN_BACKGROUND off, do it now."""
    if not import_runs.in_background():
        with contextlib.suppress(Exception):
            work(run)
        return
    with transaction.atomic():
        run.job_id = jobs.enqueue(carry_on_import_run, str(run.pk), work.__name__)
        ImportRun.objects.filter(pk=run.pk).update(job_id=run.job_id)


def notice_stopped(run: ImportRun) -> ImportRun:
    """Mark `run` failed, with the reason, if its job stopped for good (e.g. no worker is left alive)."""
    stage = "check" if run.status in {RunStatus.QUEUED, RunStatus.CHECKING} else "import"
    return jobs.fail_if_stopped(
        run,
        failed=RunStatus.FAILED,
        field="message",
        message=lambda reason: (
            f"The {stage} stopped before it finished, and nothing was imported: {reason} You can restart it."
        ),
    )


def restart(run: ImportRun, *, by: StaffMember) -> ImportRun:
    """Start a failed run again: its check if it never finished one, else its import."""
    imports.check_may_import(run.profile, by)
    if run.status != RunStatus.FAILED or not Path(run.file_path).is_file():
        raise InvalidInput(
            "Only a failed run whose file is still here can be restarted; upload the file again."
        )
    was_checked = run.checked_at is not None
    status, work = (
        (RunStatus.IMPORTING, import_runs.commit_run)
        if was_checked
        else (RunStatus.QUEUED, import_runs.check_run)
    )
    if not ImportRun.objects.filter(pk=run.pk, status=RunStatus.FAILED).update(status=status, message=""):
        raise InvalidInput("This run has already been restarted.")
    run.refresh_from_db()
    start(work, run)
    return run
