"""Business actions of identity resolution: receiving records, linking, merging, unmerging, deciding.

Every change to which Person a record belongs to goes through these, leaves a ResolutionEvent, is
on the ledger when the ledger is installed, and tells the holding agency of each record affected.
Each job lives in its own module; this one re-exports them, so callers keep `services.<name>`, and
holds the worker's job, whose import path is stored with every queued run.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django_tasks import task

from iomshare.identity.linking_runs import (
    STALE_RUN,
    LinkingAlreadyRunning,
    _bulk_resolve,
    carry_on_linking,
    link_records,
    live_step,
    running_run,
    start_linking,
)
from iomshare.identity.models import LinkageRun, RunStatus
from iomshare.identity.person_merges import merge_people, split_record, unmerge
from iomshare.identity.receiving import Arrival, _match_arrival, receive_record
from iomshare.identity.resolution import (
    REVIEWER_ROLES,
    Progress,
    _event,
    _ledger,
    _new_person_for,
    _open_conflict,
)
from iomshare.identity.review import check_decision, decide, resolve_conflict
from iomshare.identity.submissions import (
    EARLIEST_BIRTH,
    MINIMUM_AGE,
    Submission,
    declared_schemes,
    name_keys,
    validate_submission,
    waiting_reason_for,
)
from iomshare.identity.training import active_model, train_model
from iomshare.jobs.services import enqueue

__all__ = [
    "EARLIEST_BIRTH",
    "MINIMUM_AGE",
    "REVIEWER_ROLES",
    "STALE_RUN",
    "Arrival",
    "LinkingAlreadyRunning",
    "Progress",
    "Submission",
    "_bulk_resolve",
    "_event",
    "_ledger",
    "_match_arrival",
    "_new_person_for",
    "_open_conflict",
    "active_model",
    "carry_on_linking",
    "carry_on_linking_run",
    "check_decision",
    "decide",
    "declared_schemes",
    "in_background",
    "link_records",
    "live_step",
    "merge_people",
    "name_keys",
    "receive_record",
    "resolve_conflict",
    "running_run",
    "split_record",
    "start_in_background",
    "start_linking",
    "train_model",
    "unmerge",
    "validate_submission",
    "waiting_reason_for",
]


def in_background() -> bool:
    return getattr(settings, "IOMSHARE_LINKING_IN_BACKGROUND", True)


@task()
def carry_on_linking_run(run_id: int) -> str:
    """The job: link what `start_linking` opened, unless it already finished or failed (a worker that
    died mid-run kept nothing, so the job picked up again links from the start)."""
    run = LinkageRun.objects.select_related("model", "started_by").get(pk=run_id)
    if run.status != RunStatus.RUNNING:
        return run.status
    return carry_on_linking(run).status


def start_in_background(run: LinkageRun) -> None:
    """Queue `run` for `iomshare worker`, so the page can show its progress; with
    IOMSHARE_LINKING_IN_BACKGROUND off (tests on in-memory SQLite), link at once."""
    if not in_background():
        carry_on_linking(run)
        return
    with transaction.atomic():
        run.job_id = enqueue(carry_on_linking_run, run.pk)
        LinkageRun.objects.filter(pk=run.pk).update(job_id=run.job_id)
