"""The worker as its own process: an import killed mid-way finishes exactly once after a restart."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest
from django_tasks import TaskResultStatus

from iomshare.exchange import import_runs, runs
from iomshare.exchange.models import RunStatus
from iomshare.jobs import heartbeat
from tests.exchange.imports.conftest import CRNS, contact_row, csv_bytes
from tests.jobs.conftest import wait_for

ROWS = 40_000


@pytest.fixture(autouse=True)
def imports_by_the_worker(settings, tmp_path):
    settings.IOMSHARE_IMPORTS_IN_BACKGROUND = True
    settings.IOMSHARE_IMPORT_DIR = tmp_path / "imports"


def _progress(run):
    return heartbeat.progress_of(f"import:{run.pk}")


def test_an_import_killed_mid_way_is_picked_up_by_a_restarted_worker_and_finishes_once(
    worker_db, people, contacts_profile, probation_ig
):
    rows = [contact_row(f"K{n}", crn=CRNS[n % len(CRNS)]) for n in range(ROWS)]
    run = import_runs.create_run(
        contacts_profile, chunks=[csv_bytes(rows)], file_name="contacts.csv", by=probation_ig
    )
    import_runs.check_run(run)
    assert run.status == RunStatus.CHECKED and run.rows_valid == ROWS
    runs.start(import_runs.commit_run, import_runs.begin_import(run))
    worker_db.publish()

    def run_there():
        status, created, skipped = worker_db.row(
            "SELECT status, rows_created, rows_already_imported FROM exchange_importrun WHERE id = %s",
            (run.pk.hex if worker_db.is_copy else run.pk,),
        )
        return status, created, skipped

    def count(table: str) -> int:
        return worker_db.row(f"SELECT count(*) FROM {table}")[0]  # noqa: S608

    first = worker_db.start_worker()
    wait_for(lambda: (p := _progress(run)) and p[1] > 0, what="the worker to be part-way through the import")
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    assert run_there()[0] == RunStatus.IMPORTING, "the kill came too late: the import had already finished"
    assert count("records_informationitem") == 0

    worker_db.start_worker()
    wait_for(lambda: run_there()[0] == RunStatus.IMPORTED, timeout=120, what="the restarted worker to finish")
    assert run_there() == (RunStatus.IMPORTED, ROWS, 0)
    assert count("records_informationitem") == ROWS
    assert count("exchange_importeditemkey") == ROWS
    job = "SELECT status, worker_ids FROM django_tasks_database_dbtaskresult WHERE id = %s"
    job_id = run.job_id.replace("-", "") if worker_db.is_copy else run.job_id
    wait_for(
        lambda: worker_db.row(job, (job_id,))[0] == TaskResultStatus.SUCCESSFUL, what="the job to succeed"
    )
    workers = worker_db.row(job, (job_id,))[1]
    assert len(json.loads(workers) if isinstance(workers, str) else workers) == 2, "picked up again, once"


def test_serve_with_worker_starts_a_worker_and_ctrl_c_stops_both(worker_db):
    worker_db.publish()
    server = subprocess.Popen(
        [sys.executable, "-m", "iomshare", "serve", "--with-worker", "--port", "0"],
        env=worker_db.env(),
        start_new_session=True,  # its own process group, as a terminal gives `make demo`
        stdout=subprocess.PIPE,
        text=True,
    )
    worker_db.processes.append(server)
    beat = wait_for(heartbeat.live_workers, timeout=60, what="the server's worker to beat")[0]
    os.killpg(server.pid, signal.SIGINT)  # what Ctrl+C in the terminal does
    # serve gives the worker 2 s, then SIGTERM and 30 s to finish the job in hand (serve._stop): wait past that.
    assert server.wait(timeout=45) == 0
    wait_for(lambda: not heartbeat._process_runs(beat.pid), timeout=30, what="the worker to stop")
    assert heartbeat.all_beats() == [], "a worker that stops cleanly takes its heartbeat with it"
