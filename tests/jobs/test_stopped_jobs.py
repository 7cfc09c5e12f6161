"""Jobs whose worker died are picked up again; runs whose job stopped for good say why and restart."""

from __future__ import annotations

import datetime as dt
import os
import subprocess

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from iomshare.exchange import import_runs, runs
from iomshare.exchange.models import RunStatus
from iomshare.jobs import heartbeat, recovery
from tests.exchange.imports.conftest import csv_bytes, good_contacts
from tests.factories import TEST_PASSWORD


@pytest.fixture(autouse=True)
def jobs_queued(settings, tmp_path):
    settings.IOMSHARE_IMPORTS_IN_BACKGROUND = True
    settings.IOMSHARE_IMPORT_DIR = tmp_path / "imports"
    settings.IOMSHARE_WORKER_DIR = tmp_path / "workers"


def _dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def _beat(worker_id: str, pid: int, *, ago: float = 0) -> None:
    at = timezone.now() - dt.timedelta(seconds=ago)
    heartbeat.write(heartbeat.Beat(worker_id, heartbeat.HOST, pid, at, at))


def _queued_check(profile, by):
    run = import_runs.create_run(profile, chunks=[csv_bytes(good_contacts())], file_name="c.csv", by=by)
    runs.start(import_runs.check_run, run)
    return run


def _claim(job_id: str, worker_id: str) -> DBTaskResult:
    job = DBTaskResult.objects.get(pk=job_id)
    job.claim(worker_id)
    return job


def test_a_job_whose_worker_process_is_gone_goes_back_in_the_queue(people, contacts_profile, probation_ig):
    run = _queued_check(contacts_profile, probation_ig)
    _beat("gone", _dead_pid())
    _claim(run.job_id, "gone")
    assert recovery.recover() == [run.job_id]
    assert DBTaskResult.objects.get(pk=run.job_id).status == TaskResultStatus.READY


def test_a_job_whose_worker_is_alive_is_left_alone(people, contacts_profile, probation_ig):
    run = _queued_check(contacts_profile, probation_ig)
    _beat("alive", os.getpid())
    _claim(run.job_id, "alive")
    assert recovery.recover() == []
    assert DBTaskResult.objects.get(pk=run.job_id).status == TaskResultStatus.RUNNING


def test_a_job_that_lost_its_worker_too_often_fails_with_the_reason(
    settings, people, contacts_profile, probation_ig
):
    settings.IOMSHARE_JOB_ATTEMPTS = 2
    run = _queued_check(contacts_profile, probation_ig)
    for worker in ("first", "second"):
        _beat(worker, _dead_pid())
        _claim(run.job_id, worker)
        recovery.recover()
    job = DBTaskResult.objects.get(pk=run.job_id)
    assert job.status == TaskResultStatus.FAILED
    assert job.traceback.startswith("Tried 2 times; each time the worker carrying it out (process")


def test_a_check_with_no_worker_alive_is_shown_failed_with_the_reason_and_can_be_restarted(
    settings, client, people, contacts_profile, probation_ig
):
    settings.IOMSHARE_WORKER_TIMEOUT = 0
    run = _queued_check(contacts_profile, probation_ig)
    client.login(username=probation_ig.username, password=TEST_PASSWORD)
    page = client.get(f"/exchange/imports/{run.pk}/").content.decode()
    assert 'data-status="failed"' in page
    assert "The check stopped before it finished, and nothing was imported: No worker is running" in page
    assert "Restart the check" in page
    assert DBTaskResult.objects.get(pk=run.job_id).status == TaskResultStatus.FAILED  # no worker will run it

    client.post(f"/exchange/imports/{run.pk}/restart/")
    run.refresh_from_db()
    assert run.status == RunStatus.QUEUED and run.message == ""
    assert DBTaskResult.objects.get(pk=run.job_id).status == TaskResultStatus.READY


def test_a_check_whose_worker_died_with_no_other_worker_alive_says_so(
    settings, client, people, contacts_profile, probation_ig
):
    settings.IOMSHARE_WORKER_TIMEOUT = 0
    run = _queued_check(contacts_profile, probation_ig)
    _beat("gone", _dead_pid())
    _claim(run.job_id, "gone")
    client.login(username=probation_ig.username, password=TEST_PASSWORD)
    page = client.get(f"/exchange/imports/{run.pk}/status/").content.decode()
    assert "The check stopped before it finished" in page
    assert "the worker carrying it out (process" in page.lower()
