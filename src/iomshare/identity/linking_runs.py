"""Linking runs: one at a time, started from a page or the API, carried on by the worker, and their
result applied to people."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import dateformat, timezone

from iomshare.errors import DomainError, InvalidInput, NotPermitted
from iomshare.identity import bulk_rows, linkage, merging
from iomshare.identity.models import (
    ConflictCase,
    EventKind,
    LinkageModel,
    LinkageRun,
    MatchDecision,
    ResolutionEvent,
    ReviewCase,
    ReviewStatus,
    RunStatus,
    SourceRecord,
)
from iomshare.identity.resolution import (
    REVIEWER_ROLES,
    Progress,
    _best,
    _review_case,
    no_progress,
)
from iomshare.identity.training import (
    _cannot_link_pairs,
    _must_link_pairs,
    _records_table,
    active_model,
    train_model,
)
from iomshare.jobs import heartbeat
from iomshare.jobs.selectors import why_stopped
from iomshare.jobs.services import give_up
from iomshare.partnership.models import StaffMember
from iomshare.people.models import AgencyIdentifier, Person

logger = logging.getLogger(__name__)


class LinkingAlreadyRunning(DomainError):
    """A second run asked for while one is still linking: the first must finish first."""

    status = 409
    title = "Linking is already running"

    def __init__(self, run: LinkageRun) -> None:
        who = f" by {run.started_by.get_full_name() or run.started_by.username}" if run.started_by else ""
        started = timezone.localtime(run.started_at)
        when = dateformat.format(started, "g:i") + dateformat.format(started, "A").lower()
        when += dateformat.format(started, " \\o\\n j F Y")
        super().__init__(
            f"Linking is already running: it was started{who} at {when}. Wait for it to finish, "
            "then start another run if new records have arrived since."
        )
        self.run = run


# A run still marked running this long after it started, with no job behind it, stopped with its
# process; it does not block.
STALE_RUN = dt.timedelta(hours=2)


def _progress_key(run: LinkageRun) -> str:
    """Progress travels with the worker's heartbeat: while people are being written the run's row
    cannot be updated outside the run's own transaction."""
    return f"linkage:{run.pk}"


def running_run() -> LinkageRun | None:
    """The linkage run in progress, if any. One whose worker stopped for good is marked failed."""
    run = LinkageRun.objects.filter(status=RunStatus.RUNNING).select_related("started_by").first()
    if run is None:
        return None
    if run.job_id:
        reason = why_stopped(run.job_id)
    elif heartbeat.progress_of(_progress_key(run)) is None and run.started_at < timezone.now() - STALE_RUN:
        reason = "The run stopped without finishing (the server was probably restarted)."
    else:
        reason = None
    if reason is None:
        return run
    if (
        LinkageRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING).update(
            status=RunStatus.FAILED,
            finished_at=timezone.now(),
            message=f"{reason} Nothing from the run was kept. Start linking again.",
        )
        and run.job_id
    ):
        give_up(run.job_id, reason)
    return None


def live_step(run: LinkageRun) -> tuple[str, int, int]:
    """What `run` is doing now: from the worker running it (or this process), else as last saved."""
    return heartbeat.progress_of(_progress_key(run)) or (run.step, run.step_done, run.step_total)


def start_linking(*, by: StaffMember, engine: str = "duckdb", retrain: bool = False) -> LinkageRun:
    """Open a run that links every source record, for `carry_on_linking` to do; refused while
    another run is linking. It uses the saved model, unless `retrain` asks it to train a new one
    first; without a saved model only a run that trains may start (the API's first link)."""
    if by.role not in REVIEWER_ROLES:
        raise NotPermitted("Only an information-governance lead or an administrator can run linkage.")
    model = None if retrain else active_model()
    if model is None and not retrain:
        raise InvalidInput(
            "No linkage model has been trained yet, so records cannot be linked here. Run "
            "`iomshare link` once to train a model on the partnership's records."
        )
    if not SourceRecord.objects.exists():
        raise InvalidInput("There are no source records to link.")
    current = running_run()
    if current is not None:
        raise LinkingAlreadyRunning(current)
    try:
        with transaction.atomic():
            return LinkageRun.objects.create(
                status=RunStatus.RUNNING,
                started_by=by,
                model=model,
                retrain=retrain,
                engine=engine,
                step="Waiting to start",
            )
    except IntegrityError:
        # Another press won the race between the check above and this insert.
        current = running_run()
        if current is None:
            raise
        raise LinkingAlreadyRunning(current) from None


def carry_on_linking(run: LinkageRun) -> LinkageRun:
    """Do the linking `start_linking` opened, keeping the run's step up to date for the page that
    shows it; a failure is written on the run (and nothing of the run's own is kept)."""
    last_saved = {"at": 0.0}

    def progress(step: str, done: int, total: int) -> None:
        heartbeat.report(_progress_key(run), step, done, total)
        now = time.monotonic()
        if not connection.in_atomic_block and now - last_saved["at"] >= 1.0:
            last_saved["at"] = now
            LinkageRun.objects.filter(pk=run.pk).update(step=step[:100], step_done=done, step_total=total)

    try:
        return link_records(by=run.started_by, engine=run.engine, progress=progress, run=run)
    except Exception as error:
        logger.exception("Linkage run %s failed", run.pk)
        message = error.message if isinstance(error, DomainError) else f"{type(error).__name__}: {error}"
        LinkageRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED,
            finished_at=timezone.now(),
            message=f"Linking failed and nothing was changed: {message}"[:2000],
        )
        run.refresh_from_db()
        return run
    finally:
        heartbeat.finished(_progress_key(run))


def link_records(
    *,
    by: StaffMember | None = None,
    engine: str = "duckdb",
    retrain: bool = False,
    progress: Progress = no_progress,
    new_person_ids: Iterator[uuid.UUID] | None = None,
    run: LinkageRun | None = None,
) -> LinkageRun:
    """Link every source record into people with the active model (training one first if none).

    Respects every reviewer's ruling, never splits a person, merges people the model joins above the
    upper threshold, queues the uncertain pairs for review, and flags conflicting clusters. People
    it creates take their ids from `new_person_ids` when given (in the order of their first record),
    so a seeded demo gives the same ids every time. `run` is a run `start_linking` opened (its
    model is used); without one, a run is recorded when the linking is done, and none may be
    running meanwhile.
    """
    if by is not None and by.role not in REVIEWER_ROLES:
        raise NotPermitted("Only an information-governance lead or an administrator can run linkage.")
    if run is None:
        current = running_run()
        if current is not None:
            raise LinkingAlreadyRunning(current)
        model = None if retrain else active_model()
        if model is None:
            model = train_model(by=by, progress=progress)
    else:
        model = run.model if run.model is not None else train_model(by=by, progress=progress)
    started = run.started_at if run is not None else timezone.now()
    con = linkage.connect(threads=2)
    try:
        table, count = _records_table(con)
        if count == 0:
            raise InvalidInput("There are no source records to link.")
        result = linkage.link(
            con,
            table,
            model.model,
            thresholds=linkage.Thresholds(model.lower_threshold, model.upper_threshold),
            must_link=_must_link_pairs(),
            cannot_link=_cannot_link_pairs(),
            progress=progress,
            engine=engine,
        )
    finally:
        con.close()
    applying = time.perf_counter()
    with transaction.atomic():
        if run is None:
            run = LinkageRun(started_at=started, started_by=by, model=model, engine=engine)
        run.model = model  # a run that trained its own model keeps it
        run.records = count
        run.pairs_scored = result.pairs_scored
        run.save()
        _apply(result, run=run, model=model, by=by, progress=progress, new_person_ids=new_person_ids)
        run.status = RunStatus.FINISHED
        run.step, run.step_done, run.step_total = "Done", 1, 1
        run.finished_at = timezone.now()
        run.seconds = {**result.seconds, "apply": time.perf_counter() - applying}
        run.save()
    return run


def _apply(
    result: linkage.LinkResult,
    *,
    run: LinkageRun,
    model: LinkageModel,
    by: StaffMember | None,
    progress: Progress,
    new_person_ids: Iterator[uuid.UUID] | None = None,
) -> None:
    groups: dict[int, list[int]] = {}
    for record_id, cluster_id in result.clusters.items():
        groups.setdefault(cluster_id, []).append(record_id)
    person_of = dict(SourceRecord.objects.values_list("pk", "person_id"))
    new_groups: list[list[int]] = []
    joining: dict[int, Any] = {}  # unresolved record -> the person it joins
    total = len(groups)
    progress("Resolving people", 0, total)
    merging_groups = []
    for members in groups.values():
        persons = {person_of[r] for r in members if person_of[r] is not None}
        unresolved = [r for r in members if person_of[r] is None]
        if not persons:
            new_groups.append(unresolved)
        elif len(persons) > 1 or unresolved:
            merging_groups.append((members, persons, unresolved))
    people = Person.objects.in_bulk([p for _, persons, _ in merging_groups for p in persons])
    plan = []
    for members, persons, unresolved in merging_groups:
        held = sorted((people[p] for p in persons), key=lambda p: (p.family_name, p.given_name, str(p.pk)))
        counts = {p.pk: sum(1 for r in members if person_of[r] == p.pk) for p in held}
        survivor = max(held, key=lambda p: (counts[p.pk], -p.created_at.timestamp(), str(p.pk)))
        plan.append((survivor, [p for p in held if p.pk != survivor.pk]))
        joining.update(dict.fromkeys(unresolved, survivor.pk))
    progress("Resolving people", len(groups) // 2, total)
    # One set-based pass, not a merge per pair: one ledger entry and one notice per agency for the run.
    run.merges += len(merging.merge_in_bulk(plan, run=run, by=by))
    run.people_created = len(new_groups)
    run.records_linked = len(joining) + sum(len(group) for group in new_groups if len(group) > 1)
    _bulk_resolve(new_groups, joining, by=by, new_person_ids=new_person_ids)
    progress("Resolving people", total, total)
    run.conflicts += _open_conflicts(result.conflicts, run=run)
    decided = set(
        MatchDecision.objects.filter(superseded_at__isnull=True).values_list("record_a", "record_b")
    )
    open_pairs = set(ReviewCase.objects.filter(status=ReviewStatus.OPEN).values_list("record_a", "record_b"))
    person_of = dict(SourceRecord.objects.values_list("pk", "person_id"))
    cases = []
    for row in result.review_pairs:
        pair = (min(row["unique_id_l"], row["unique_id_r"]), max(row["unique_id_l"], row["unique_id_r"]))
        if pair in decided or pair in open_pairs or person_of[pair[0]] == person_of[pair[1]]:
            continue
        open_pairs.add(pair)
        cases.append(_review_case(*pair, row, model=model, run=run))
    bulk_rows.insert(ReviewCase, cases)
    run.review_cases = len(cases)


def _open_conflicts(conflicts: Sequence[linkage.Conflict], *, run: LinkageRun) -> int:
    """Open a case for each conflict with none open yet, as `_open_conflict` does one at a time, with
    its "needs attention" event: a few queries for the run, not a handful per conflict."""
    fresh: dict[str, ConflictCase] = {}
    records_of: dict[str, list[int]] = {}
    for conflict in conflicts:
        ids = sorted(set(conflict.records))
        signature = hashlib.sha256(
            (",".join(map(str, ids)) + "|" + "|".join(sorted(conflict.reasons))).encode()
        ).hexdigest()
        if signature not in fresh:
            fresh[signature] = ConflictCase(
                reasons=sorted(set(conflict.reasons)),
                groups=[list(group) for group in conflict.kept_together],
                run=run,
                signature=signature,
            )
            records_of[signature] = ids
    signatures = list(fresh)
    for start in range(0, len(signatures), 1000):
        for signature in ConflictCase.objects.filter(
            signature__in=signatures[start : start + 1000], resolved_at__isnull=True
        ).values_list("signature", flat=True):
            fresh.pop(signature, None)
    cases = list(fresh.values())
    bulk_rows.insert(ConflictCase, cases)
    bulk_rows.insert_values(
        ConflictCase.records.through,
        ["conflictcase_id", "sourcerecord_id"],
        [(case.pk, record_id) for case in cases for record_id in records_of[case.signature]],
    )
    events = [
        ResolutionEvent(
            kind=EventKind.FLAGGED, summary=("Not merged, needs attention: " + "; ".join(case.reasons))[:500]
        )
        for case in cases
    ]
    bulk_rows.insert(ResolutionEvent, events)
    bulk_rows.insert_values(
        ResolutionEvent.records.through,
        ["resolutionevent_id", "sourcerecord_id"],
        [
            (event.pk, record_id)
            for event, case in zip(events, cases, strict=True)
            for record_id in records_of[case.signature]
        ],
    )
    return len(cases)


def _bulk_resolve(
    new_groups: list[list[int]],
    joining: dict[int, Any],
    *,
    by: StaffMember | None,
    new_person_ids: Iterator[uuid.UUID] | None = None,
) -> None:
    """Create a person for each new group and attach records joining existing people, in bulk: the
    first run over a partnership's records resolves tens of thousands at once."""
    # In the order records arrived, whatever order the clusters came back in, so runs repeat.
    new_groups = sorted((sorted(group) for group in new_groups), key=lambda group: group[0])
    ids = [r for group in new_groups for r in group] + list(joining)
    wanted = set(ids)
    # One pass over the table rather than naming each id: the first link resolves nearly all of it.
    records = {
        record.pk: record
        for record in SourceRecord.objects.select_related("agency").order_by("pk").iterator(chunk_size=5000)
        if record.pk in wanted
    }
    people: list[Person] = []
    for group in new_groups:
        best = _best([records[r] for r in group])
        person = Person(
            id=next(new_person_ids) if new_person_ids is not None else uuid.uuid4(),
            given_name=best.given_name.title() if best.given_name.isupper() else best.given_name,
            family_name=best.family_name.title() if best.family_name.isupper() else best.family_name,
            date_of_birth=best.date_of_birth,
        )
        people.append(person)
        for r in group:
            records[r].person = person
    for r, person_id in joining.items():
        records[r].person_id = person_id
    bulk_rows.insert(Person, people)
    for record in records.values():
        if record.person_id is None:
            assert record.person is not None  # each record of a new person's group was given it above
            record.person_id = record.person.pk
    merging.move_rows(SourceRecord, {record.pk: record.person_id for record in records.values()})
    taken = set(AgencyIdentifier.objects.values_list("agency_id", "scheme", "value"))
    identifiers = []
    for record in records.values():
        person_id = record.person_id
        assert person_id is not None  # every record has its person by now (above)
        for scheme, value in record.identifiers.items():
            key = (record.agency_id, scheme, value)
            if key not in taken:
                taken.add(key)
                identifiers.append(
                    AgencyIdentifier(
                        person_id=person_id, agency_id=record.agency_id, scheme=scheme, value=value
                    )
                )
    bulk_rows.insert(AgencyIdentifier, identifiers)
    by_person: dict[Any, list[SourceRecord]] = {}
    for record in records.values():
        by_person.setdefault(record.person_id, []).append(record)
    created = {person.pk for person in people}
    events = [
        ResolutionEvent(
            kind=EventKind.LINKED,
            by=by,
            person_id=person_id,
            summary=(
                ("A new person was created from " if person_id in created else "Linked automatically: ")
                + ", ".join(str(r) for r in held[:10])
            )[:500],
        )
        for person_id, held in by_person.items()
    ]
    bulk_rows.insert(ResolutionEvent, events)
    bulk_rows.insert_values(
        ResolutionEvent.records.through,
        ["resolutionevent_id", "sourcerecord_id"],
        [(event.pk, record.pk) for event in events for record in by_person[event.person_id]],
    )
