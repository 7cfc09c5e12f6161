"""Bulk extracts as durable jobs: asked for on a page or the API, built by `iomshare worker`, kept
sealed for their asker until they expire (issues 15 and 19).

The worker reads through the one door (`exports.extract_people`, which calls
`records.selectors.items_for_extract`) page by page of people. A page's ledger entries, its sealed
piece of the file and the run's cursor commit together (the file is cut back to the committed length
before each append), so a job picked up again after its worker died carries on from the last page
and the extract is on the ledger exactly once. Every entry names the asking request: its id, channel
and client address are kept on the run and the job acts from them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from iomshare.errors import InvalidInput, NotFound, NotPermitted
from iomshare.exchange import exports, sealed_files
from iomshare.exchange.models import ExtractFormat, ExtractRun, ExtractStatus
from iomshare.jobs import services as jobs
from iomshare.ledger import services as ledger
from iomshare.ledger.context import Origin, acting_from, current_origin
from iomshare.ledger.models import Action, Outcome
from iomshare.partnership.models import Role, StaffMember
from iomshare.people.visibility import known_people
from iomshare.protocols.decisions import purposes_for
from iomshare.records import sealing

ROLES_THAT_EXTRACT = {Role.IG_LEAD, Role.PARTNERSHIP_MANAGER, Role.SYSTEM}
NOT_PERMITTED = "Only an information-governance lead, partnership manager or system account extracts in bulk."


def page_size() -> int:
    """People per page: each page is one transaction (its entries, its piece of the file, the cursor)."""
    return int(getattr(settings, "IOMSHARE_EXTRACT_PAGE_PEOPLE", 200))


def keep_for() -> dt.timedelta:
    return dt.timedelta(hours=float(getattr(settings, "IOMSHARE_EXTRACT_KEEP_HOURS", 24)))


def in_background() -> bool:
    """Whether a worker builds extracts (the default) or the asking request does, as in most tests."""
    return getattr(settings, "IOMSHARE_EXTRACTS_IN_BACKGROUND", True)


def check_may_extract(by: StaffMember) -> None:
    if by.agency_id is None or by.role not in ROLES_THAT_EXTRACT:
        raise NotPermitted(NOT_PERMITTED)


def check_request(by: StaffMember, *, file_format: str, purpose: str) -> None:
    """Refuse a bad request whole, naming each problem, before anything is queued."""
    errors = {}
    if file_format not in ExtractFormat.values:
        errors["format"] = "Select the format of the extract: JSON or CSV"
    if purpose and purpose not in {option.code for option in purposes_for(by)}:
        errors["purpose"] = "Select one of the purposes listed, or none to extract your own agency's records"
    if errors:
        first = f"'{purpose[:40]}' is not a purpose you may extract for." if "purpose" in errors else ""
        raise InvalidInput(first or errors["format"], field_errors=errors)


def ask_for_extract(
    by: StaffMember, *, file_format: str, purpose: str = "", person_ids: list[uuid.UUID] | None = None
) -> ExtractRun:
    """Record `by`'s request for a bulk extract, with where it came from, and queue its building."""
    check_may_extract(by)
    assert by.agency_id is not None  # check_may_extract refuses a member of no agency
    check_request(by, file_format=file_format, purpose=purpose)
    origin = current_origin()
    run = ExtractRun.objects.create(
        requested_by=by,
        agency_id=by.agency_id,
        purpose=purpose,
        file_format=file_format,
        filters={"person_ids": [str(pk) for pk in person_ids]} if person_ids is not None else {},
        channel=origin.channel,
        request_id=origin.request_id,
        client_address=origin.client_address,
    )
    start(run)
    run.refresh_from_db()
    return run


def start(run: ExtractRun) -> None:
    """Queue the building of `run` for a worker; with background work off, build it now."""
    if not in_background():
        with contextlib.suppress(Exception):
            build(run.pk)
        return
    with transaction.atomic():
        run.job_id = jobs.enqueue(build_extract, str(run.pk))
        ExtractRun.objects.filter(pk=run.pk).update(job_id=run.job_id)


@task()
def build_extract(run_id: str) -> str:
    """The job: carry the extract on from its last committed page; its final status."""
    return build(uuid.UUID(run_id)).status


def _people(run: ExtractRun):
    people = known_people(run.requested_by)
    if "person_ids" in run.filters:
        people = people.filter(pk__in=run.filters["person_ids"])
    return people.order_by("pk")


def _origin(run: ExtractRun) -> Origin:
    return Origin(channel=run.channel, request_id=run.request_id, client_address=run.client_address)


def build(run_id: uuid.UUID) -> ExtractRun:
    """Build (or carry on building) the extract, page by page; a failure is kept on the run."""
    run = ExtractRun.objects.select_related("requested_by__agency").get(pk=run_id)
    if not run.is_running:
        return run
    try:
        with acting_from(_origin(run)):
            if run.status == ExtractStatus.QUEUED:
                run = _begin(run)
            while run.status == ExtractStatus.BUILDING:
                run = _next_page(run)
    except Exception as error:
        ExtractRun.objects.filter(
            pk=run.pk, status__in=[ExtractStatus.QUEUED, ExtractStatus.BUILDING]
        ).update(
            status=ExtractStatus.FAILED,
            error=f"The extract could not be built: {error}",
            finished_at=timezone.now(),
        )
        run.refresh_from_db()
    return run


def _begin(run: ExtractRun) -> ExtractRun:
    generation, wrapped, key = sealed_files.new_key(run.pk)
    path = sealed_files.extract_dir() / f"{run.pk}.sealed"
    opening = exports.extract_opening(run.requested_by, run.file_format, purpose=run.purpose)
    length = sealed_files.append_piece(path, keep_bytes=0, key=key, file_id=run.pk, index=0, text=opening)
    ExtractRun.objects.filter(pk=run.pk, status=ExtractStatus.QUEUED).update(
        status=ExtractStatus.BUILDING,
        people_total=_people(run).count(),
        file_path=str(path),
        file_bytes=length,
        file_pieces=1,
        key_generation=generation,
        wrapped_key=wrapped,
    )
    run.refresh_from_db()
    return run


def _next_page(run: ExtractRun) -> ExtractRun:
    """One page of people: their items through the door, on the ledger, sealed into the file; or, when
    none is left, the closing piece and the run ready."""
    key = sealed_files.open_key(run.pk, run.key_generation, run.wrapped_key)
    people = _people(run)
    if run.after_person:
        people = people.filter(pk__gt=run.after_person)
    page = [str(pk) for pk in people.values_list("pk", flat=True)[: page_size()]]
    with transaction.atomic():
        changes: dict = {}
        if page:
            pieces = list(
                exports.extract_people(
                    run.requested_by,
                    run.file_format,
                    person_ids=page,
                    purpose=run.purpose,
                    first=run.people_in_file == 0,
                )
            )
            text = "".join(piece for piece, _ in pieces)
            changes = {
                "after_person": page[-1],
                "people_done": run.people_done + len(page),
                "people_in_file": run.people_in_file + len(pieces),
                "items_in_file": run.items_in_file + sum(count for _, count in pieces),
            }
        else:
            text = exports.extract_closing(run.file_format)
            now = timezone.now()
            changes = {"status": ExtractStatus.READY, "finished_at": now, "expires_at": now + keep_for()}
        length = sealed_files.append_piece(
            Path(run.file_path),
            keep_bytes=run.file_bytes,
            key=key,
            file_id=run.pk,
            index=run.file_pieces,
            text=text,
        )
        updated = ExtractRun.objects.filter(
            pk=run.pk, status=ExtractStatus.BUILDING, file_pieces=run.file_pieces
        ).update(file_bytes=length, file_pieces=run.file_pieces + 1, **changes)
        if not updated:
            raise InvalidInput("This extract was changed by another worker; it carries on there.")
    run.refresh_from_db()
    return run


def notice_stopped(run: ExtractRun) -> ExtractRun:
    """Mark `run` failed, with the reason, if its job stopped for good (no worker is left alive)."""
    return jobs.fail_if_stopped(
        run,
        failed=ExtractStatus.FAILED,
        field="error",
        message=lambda reason: f"The extract stopped before it finished: {reason} You can restart it.",
    )


def restart(run: ExtractRun, *, by: StaffMember) -> ExtractRun:
    """Carry a failed extract on from its last committed page (or from the start)."""
    if run.requested_by_id != by.pk:
        raise NotFound("There is no such extract of yours.")
    if run.status != ExtractStatus.FAILED:
        raise InvalidInput("Only a failed extract can be restarted.")
    status = ExtractStatus.BUILDING if run.file_pieces else ExtractStatus.QUEUED
    if not ExtractRun.objects.filter(pk=run.pk, status=ExtractStatus.FAILED).update(
        status=status, error="", finished_at=None
    ):
        raise InvalidInput("This extract has already been restarted.")
    run.refresh_from_db()
    start(run)
    run.refresh_from_db()
    return run


def run_for(by: StaffMember, run_id) -> ExtractRun:
    """`by`'s own extract run; anyone else's is NotFound, and the attempt is on the ledger."""
    run = ExtractRun.objects.filter(pk=run_id, requested_by_id=by.pk).first()
    if run is None:
        ledger.record(
            Action.EXPORT,
            by=by,
            outcome=Outcome.REFUSED,
            details={"extract_run": str(run_id), "reason": "not the requester's extract"},
        )
        raise NotFound("There is no such extract of yours.")
    return notice_stopped(run)


def download(run: ExtractRun, *, by: StaffMember) -> Iterator[bytes]:
    """The extract's plain text for its requester, piece by piece; the download is on the ledger."""
    if run.requested_by_id != by.pk:
        raise NotFound("There is no such extract of yours.")
    if run.status != ExtractStatus.READY or not run.file_path or not Path(run.file_path).is_file():
        raise NotFound("This extract is not ready, or has expired; ask for a new one.")
    key = sealed_files.open_key(run.pk, run.key_generation, run.wrapped_key)
    if Path(run.file_path).stat().st_size != run.file_bytes:  # refused whole, not cut off mid-download
        raise sealing.ContentUnavailable("This extract's file does not match what was written.")
    ledger.record(
        Action.EXPORT,
        by=by,
        purpose=run.purpose,
        outcome=Outcome.SUCCEEDED,
        details={"extract_run": str(run.pk), "downloaded": True, "people": run.people_in_file},
    )
    return sealed_files.read_pieces(
        Path(run.file_path), key=key, file_id=run.pk, pieces=run.file_pieces, length=run.file_bytes
    )


def delete_expired(now: dt.datetime | None = None) -> int:
    """Delete the files of extracts past their expiry (failed ones a day after they were asked for)
    and destroy their keys, so no copy of a file can be opened; how many expired."""
    now = now or timezone.now()
    due = ExtractRun.objects.filter(
        Q(status=ExtractStatus.READY, expires_at__lte=now)
        | Q(status=ExtractStatus.FAILED, created_at__lte=now - keep_for())
    )
    expired = 0
    for run in due:
        if run.file_path:
            Path(run.file_path).unlink(missing_ok=True)
        expired += ExtractRun.objects.filter(pk=run.pk, status=run.status).update(
            status=ExtractStatus.EXPIRED, wrapped_key=b"", file_path="", expires_at=run.expires_at or now
        )
    return expired
