"""Identity resolution through the machine API: send records, review pairs, merge, unmerge, link."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Field, Router, Schema, Status

from iomshare.errors import InvalidInput, NotFound, NotPermitted
from iomshare.identity import intake, selectors, services
from iomshare.identity.models import LinkageRun, Merge, ReviewCase, SourceRecord
from iomshare.kit.api import PROBLEMS, Problem, caller
from iomshare.partnership.models import StaffMember
from iomshare.people.models import Person

router = Router(tags=["identity"])


def _reviewer(request: HttpRequest) -> StaffMember:
    viewer = caller(request)
    if viewer.role not in services.REVIEWER_ROLES:
        raise NotPermitted(
            "Only information-governance leads, partnership managers and administrators can do this."
        )
    return viewer


class SourceRecordIn(Schema):
    record_key: str = Field(..., description="Your agency's own key for the record.")
    given_name: str = ""
    family_name: str = ""
    aliases: list[str] = []
    date_of_birth: str = Field("", description="YYYY-MM-DD, or empty when not known.")
    sex: str = Field("", description="M, F, X or empty.")
    postcode: str = ""
    address: str = ""
    identifiers: dict[str, str] = Field(
        {}, description="Any of pnc, cro, nomis, nhs, local, or a scheme your agency is recorded as holding."
    )


class FieldWarningOut(Schema):
    field: str
    value: str = Field(..., description="The value as sent.")
    reason: str


class ArrivalOut(Schema):
    record_id: int
    person_id: uuid.UUID | None
    outcome: str = Field(
        ...,
        description="linked, review, attention, new person, or waiting (too bare to match until completed).",
    )
    match_probability: float | None
    seconds: float
    warnings: list[FieldWarningOut] = Field(
        [], description="Fields kept out of the record because they failed a check; the rest was received."
    )
    waiting_reason: str = Field("", description="Why the record cannot be matched yet, if it waits.")


class RecordOut(Schema):
    id: int
    agency: str
    record_key: str
    given_name: str
    family_name: str
    date_of_birth: dt.date | None
    postcode: str
    identifiers: dict[str, str]
    person_id: uuid.UUID | None


class EvidenceOut(Schema):
    comparison: str
    finding: str
    weight: float
    sentence: str


class ReviewCaseOut(Schema):
    id: int
    status: str
    match_probability: float
    match_weight: float
    record_a: RecordOut
    record_b: RecordOut
    evidence: list[EvidenceOut]


class DecisionIn(Schema):
    outcome: str = Field(..., description="same or different.")
    confidence: str = Field(..., description="certain, likely or unsure.")
    rationale: str


class PairDecisionIn(DecisionIn):
    record_a: int
    record_b: int


class DecisionOut(Schema):
    id: int
    outcome: str
    confidence: str
    person_a: uuid.UUID | None
    person_b: uuid.UUID | None


class MergeOut(Schema):
    id: int
    survivor_id: uuid.UUID
    absorbed_id: uuid.UUID
    reason: str
    merged_at: dt.datetime
    moved: dict[str, list[Any]]
    undone_at: dt.datetime | None


class EventOut(Schema):
    kind: str
    at: dt.datetime
    summary: str


class HistoryOut(Schema):
    person_id: uuid.UUID
    records: list[RecordOut]
    merges: list[MergeOut]
    events: list[EventOut]


class UnmergeIn(Schema):
    rationale: str


class LinkIn(Schema):
    engine: str = "duckdb"
    retrain: bool = False


class RunOut(Schema):
    id: int
    status: str
    step: str
    message: str
    engine: str
    retrain: bool
    started_at: dt.datetime
    finished_at: dt.datetime | None
    records: int
    pairs_scored: int
    people_created: int
    records_linked: int
    merges: int
    review_cases: int
    conflicts: int
    seconds: dict[str, float]


def _record(record: SourceRecord) -> dict[str, Any]:
    return {
        "id": record.pk,
        "agency": record.agency.code,
        "record_key": record.record_key,
        "given_name": record.given_name,
        "family_name": record.family_name,
        "date_of_birth": record.date_of_birth,
        "postcode": record.postcode,
        "identifiers": record.identifiers,
        "person_id": record.person_id,
    }


def _case(case: ReviewCase) -> dict[str, Any]:
    explanation = selectors.explain_case(case)
    return {
        "id": case.pk,
        "status": case.status,
        "match_probability": case.match_probability,
        "match_weight": case.match_weight,
        "record_a": _record(case.record_a),
        "record_b": _record(case.record_b),
        "evidence": [
            {"comparison": e.comparison, "finding": e.finding, "weight": e.weight, "sentence": e.sentence}
            for e in explanation.evidence
        ],
    }


def _get(queryset, pk, label: str):
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise NotFound(f"No {label} with id {pk}.")
    return found


@router.post("/identity/source-records", response={201: ArrivalOut, **PROBLEMS}, url_name="identity-receive")
def receive(request: HttpRequest, payload: SourceRecordIn):
    """Send one of your agency's records of a person; it is matched at once against existing records."""
    by = caller(request)
    if by.agency is None:
        raise NotPermitted("Only an agency's staff or system account can send its records.")
    arrival = services.receive_record(
        agency=by.agency, data=payload.dict(), provenance=f"API, {by.get_username()}", by=by
    )
    return Status(
        201,
        {
            "record_id": arrival.record.pk,
            "person_id": arrival.record.person_id,
            "outcome": arrival.outcome,
            "match_probability": arrival.match_probability,
            "seconds": arrival.seconds,
            "warnings": arrival.record.warnings,
            "waiting_reason": arrival.record.waiting_reason,
        },
    )


class SourceRecordBatchIn(Schema):
    records: list[dict[str, Any]] = Field(
        ..., description="Up to 10,000 records, each shaped as for POST /identity/source-records."
    )
    dry_run: bool = Field(False, description="Check the records and say what would happen; store nothing.")


class BatchWarningOut(Schema):
    row: int = Field(..., description="The record's position in the batch, from 1.")
    field: str
    value: str
    reason: str


class BatchOut(Schema):
    received: int
    already_received: int = Field(..., description="Records with keys your agency had already sent: skipped.")
    waiting: int = Field(..., description="Records too bare to match, kept in the cannot-match-yet queue.")
    dry_run: bool
    warnings: list[BatchWarningOut]


@router.post(
    "/identity/source-records/batch", response={200: BatchOut, **PROBLEMS}, url_name="identity-receive-batch"
)
def receive_batch(request: HttpRequest, payload: SourceRecordBatchIn):
    """Send many of your agency's records at once: all or nothing, and sending a batch again skips
    the records already received. They are matched together at the next linking run."""
    by = caller(request)
    if by.agency is None:
        raise NotPermitted("Only an agency's staff or system account can send its records.")
    outcome = intake.receive_batch(
        agency=by.agency,
        rows=payload.records,
        provenance=f"API batch, {by.get_username()}",
        by=by,
        dry_run=payload.dry_run,
    )
    return Status(200, outcome.__dict__)


@router.get(
    "/identity/review-cases",
    response={200: list[ReviewCaseOut], **PROBLEMS},
    url_name="identity-review-cases",
)
def review_cases(request: HttpRequest, limit: int = 50):
    """Pairs waiting for a reviewer, most likely matches first, with the evidence in plain words."""
    _reviewer(request)
    return [
        _case(case)
        for case in selectors.open_review_cases().select_related("model")[: max(1, min(limit, 200))]
    ]


@router.post(
    "/identity/review-cases/{case_id}/decision",
    response={200: DecisionOut, **PROBLEMS},
    url_name="identity-decide",
)
def decide_case(request: HttpRequest, case_id: int, payload: DecisionIn):
    """Link the pair (same person: merged now) or keep it apart (different people: separated now)."""
    by = _reviewer(request)
    case = _get(ReviewCase.objects.select_related("record_a", "record_b"), case_id, "review case")
    if case.status != "open":
        raise InvalidInput("This pair has already been decided.")
    return _decide(case.record_a, case.record_b, payload, by)


@router.post("/identity/decisions", response={200: DecisionOut, **PROBLEMS}, url_name="identity-force")
def decide_pair(request: HttpRequest, payload: PairDecisionIn):
    """Force any two records together or apart; later automatic linking respects it."""
    by = _reviewer(request)
    first = _get(SourceRecord.objects.all(), payload.record_a, "source record")
    second = _get(SourceRecord.objects.all(), payload.record_b, "source record")
    return _decide(first, second, payload, by)


def _decide(
    first: SourceRecord, second: SourceRecord, payload: DecisionIn, by: StaffMember
) -> dict[str, Any]:
    decision = services.decide(
        first,
        second,
        outcome=payload.outcome,
        confidence=payload.confidence,
        rationale=payload.rationale,
        by=by,
    )
    first.refresh_from_db()
    second.refresh_from_db()
    return {
        "id": decision.pk,
        "outcome": decision.outcome,
        "confidence": decision.confidence,
        "person_a": first.person_id,
        "person_b": second.person_id,
    }


def _merge(merge: Merge) -> dict[str, Any]:
    return {
        "id": merge.pk,
        "survivor_id": merge.survivor_id,
        "absorbed_id": merge.absorbed_id,
        "reason": merge.reason,
        "merged_at": merge.merged_at,
        "moved": merge.moved,
        "undone_at": merge.undone_at,
    }


@router.get(
    "/identity/persons/{person_id}/history",
    response={200: HistoryOut, **PROBLEMS},
    url_name="identity-history",
)
def history(request: HttpRequest, person_id: uuid.UUID):
    """A person's agency records, the merges in and out, and every identity event, newest first."""
    _reviewer(request)
    person = _get(Person.objects.all(), person_id, "person")
    return {
        "person_id": person.pk,
        "records": [_record(r) for r in selectors.records_of(person)],
        "merges": [_merge(m) for m in selectors.merges_of(person)],
        "events": [
            {"kind": e.kind, "at": e.at, "summary": e.summary} for e in selectors.history_of(person)[:200]
        ],
    }


@router.post(
    "/identity/merges/{merge_id}/unmerge", response={200: MergeOut, **PROBLEMS}, url_name="identity-unmerge"
)
def unmerge(request: HttpRequest, merge_id: int, payload: UnmergeIn):
    """Undo a merge exactly; the two sides are ruled different people from then on."""
    by = _reviewer(request)
    merge = _get(Merge.objects.all(), merge_id, "merge")
    services.unmerge(merge, by=by, rationale=payload.rationale)
    merge.refresh_from_db()
    return _merge(merge)


def _run_out(run: LinkageRun) -> dict[str, Any]:
    return {
        "id": run.pk,
        "status": run.status,
        "step": run.step,
        "message": run.message,
        "engine": run.engine,
        "retrain": run.retrain,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "records": run.records,
        "pairs_scored": run.pairs_scored,
        "people_created": run.people_created,
        "records_linked": run.records_linked,
        "merges": run.merges,
        "review_cases": run.review_cases,
        "conflicts": run.conflicts,
        "seconds": run.seconds,
    }


@router.post(
    "/identity/link-runs", response={202: RunOut, 409: Problem, **PROBLEMS}, url_name="identity-link"
)
def link(request: HttpRequest, response: HttpResponse, payload: LinkIn):
    """Start linking every source record (as `iomshare link` does) as a job of the worker: 202 and
    the run's Location, to follow until its status is finished or failed. With `retrain`, or when no
    model has been trained yet, the job trains one first. 409 while another run is linking."""
    by = _reviewer(request)
    if payload.engine not in {"duckdb", "spark"}:
        raise InvalidInput(
            "The engine is duckdb or spark.", field_errors={"engine": "Choose duckdb or spark"}
        )
    run = services.start_linking(
        by=by, engine=payload.engine, retrain=payload.retrain or services.active_model() is None
    )
    services.start_in_background(run)
    run.refresh_from_db()
    response["Location"] = reverse("api-v1:identity-link-run", kwargs={"run_id": run.pk})
    return Status(202, _run_out(run))


@router.get("/identity/link-runs/{run_id}", response={200: RunOut, **PROBLEMS}, url_name="identity-link-run")
def link_run(request: HttpRequest, run_id: int):
    """A linking run: its status (running, finished, failed), its step, and what it did."""
    _reviewer(request)
    return _run_out(_get(LinkageRun.objects.all(), run_id, "linking run"))
