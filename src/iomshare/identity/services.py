"""Business actions of identity resolution: receiving records, linking, merging, unmerging, deciding.

Every change to which Person a record belongs to goes through here, leaves a ResolutionEvent, is
on the ledger when the ledger is installed, and tells the holding agency of each record affected.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from importlib.metadata import version
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q
from django.utils import dateformat, timezone
from django_tasks import task

from iomshare.errors import DomainError, InvalidInput, NotFound, NotPermitted
from iomshare.identity import linkage, merging
from iomshare.identity.models import (
    Confidence,
    ConflictCase,
    EventKind,
    HoldingAgencyNotice,
    LinkageModel,
    LinkageRun,
    MatchDecision,
    Merge,
    MergeReason,
    Outcome,
    ResolutionEvent,
    ReviewCase,
    ReviewStatus,
    RunStatus,
    Sex,
    SourceRecord,
)
from iomshare.jobs import heartbeat
from iomshare.jobs.selectors import why_stopped
from iomshare.jobs.services import enqueue, give_up
from iomshare.partnership.models import Agency, Role, StaffMember
from iomshare.people.models import NORMALISERS, AgencyIdentifier, CohortMembership, IdentifierScheme, Person
from iomshare.records import services as records

logger = logging.getLogger(__name__)
Progress = Callable[[str, int, int], None]

REVIEWER_ROLES = {Role.IG_LEAD, Role.PARTNERSHIP_MANAGER, Role.ADMIN}
_NAME = re.compile(r"^[^\W\d_]+(?:[ '’.\-][^\W\d_]*)*$")
_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")
_FIELD_SCHEMES = {"pnc": "pnc", "cro": "cro", "nomis": "nomis", "nhs": "nhs_number", "local": "local_id"}
EARLIEST_BIRTH = dt.date(1900, 1, 1)
MINIMUM_AGE = 10  # the age of criminal responsibility in England and Wales


def _no_progress(step: str, done: int, total: int) -> None:
    return None


# -- receiving records -----------------------------------------------------------------------------


def _clean_name(value: Any, field: str, label: str, errors: dict[str, str]) -> str:
    text = " ".join(str(value or "").split())
    if len(text) > 100:
        errors[field] = f"The {label} must be 100 characters or fewer"
        return ""
    if text and not _NAME.match(text):
        errors[field] = f"The {label} can contain only letters, spaces, hyphens and apostrophes"
        return ""
    return text


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _clean_date_of_birth(value: Any, errors: dict[str, str], today: dt.date) -> dt.date | None:
    """The date of birth, or None with the reason in `errors` (a field kept out, never the record refused)."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        text = str(value).strip()
        try:
            value = dt.date.fromisoformat(text)
        except ValueError:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                errors["date_of_birth"] = f"The date of birth {text} is not a real date"
            else:
                errors["date_of_birth"] = "The date of birth must be a date written as YYYY-MM-DD"
            return None
    if value > today:
        errors["date_of_birth"] = "The date of birth is in the future"
    elif value < EARLIEST_BIRTH:
        errors["date_of_birth"] = "The date of birth is before 1900: check it for a typing mistake"
    elif value > _years_before(today, MINIMUM_AGE):
        errors["date_of_birth"] = (
            f"The date of birth makes the person younger than {MINIMUM_AGE}, the age of criminal responsibility"
        )
    else:
        return value
    return None


_OTHER_POSTCODE = re.compile(r"^(?=.*\d)[A-Z0-9][A-Z0-9 \-]{1,10}[A-Z0-9]$")


def _clean_postcode(value: Any, errors: dict[str, str]) -> str:
    """A UK postcode in its standard form, or another country's as written (upper case)."""
    text = re.sub(r"\s+", " ", str(value or "").strip().upper())
    if not text:
        return ""
    if match := _POSTCODE.match(text):
        return f"{match.group(1)} {match.group(2)}"
    if _OTHER_POSTCODE.match(text):
        return text
    errors["postcode"] = f"{text} is not a postcode: a UK postcode looks like LS1 4AP"
    return ""


def declared_schemes(agency: Agency | None) -> dict[str, Any]:
    """The identifier schemes `agency` is recorded as holding, by code (read once per batch)."""
    return {s.code: s for s in agency.identifier_schemes.all()} if agency is not None and agency.pk else {}


def _clean_identifiers(
    value: Any, errors: dict[str, str], schemes: dict[str, Any]
) -> tuple[dict[str, str], dict[str, str]]:
    """UK identifiers (format and check digit) and identifiers in schemes the agency declares (their pattern)."""
    if not isinstance(value, dict):
        if value:
            errors["identifiers"] = "Identifiers must be given as scheme: value pairs"
        return {}, {}
    national: dict[str, str] = {}
    declared: dict[str, str] = {}
    for scheme, raw in value.items():
        if raw in (None, ""):
            continue
        if scheme in _FIELD_SCHEMES:
            try:
                normaliser = NORMALISERS[IdentifierScheme("nhs" if scheme == "nhs" else scheme)]
                national[scheme] = normaliser(str(raw))
            except ValidationError as error:
                errors[f"identifiers.{scheme}"] = error.messages[0]
        elif scheme in schemes:
            try:
                declared[scheme] = schemes[scheme].normalise(str(raw))
            except ValueError as error:
                errors[f"identifiers.{scheme}"] = str(error)
        else:
            errors[f"identifiers.{scheme}"] = (
                f"{scheme} is not an identifier scheme iomshare knows for this agency: use pnc, cro, nomis, "
                "nhs, local, or a scheme an administrator has recorded the agency as holding"
            )
    return national, declared


@dataclass
class Submission:
    """A record as it will be stored: the fields that passed their checks, and why any were kept out."""

    fields: dict[str, Any]
    warnings: list[dict[str, str]]
    waiting_reason: str


def waiting_reason_for(fields: dict[str, Any]) -> str:
    """Why a record is too bare to link safely (blank if it is not): it then waits to be completed.

    A national identifier (PNC, CRO, NOMIS, NHS) can carry a record without a date of birth or last name.
    """
    if any(fields.get(name) for name in ("pnc", "cro", "nomis", "nhs_number")):
        return ""
    missing = [
        label
        for name, label in (("family_name", "last name"), ("date_of_birth", "date of birth"))
        if not fields.get(name)
    ]
    if not missing:
        return ""
    return f"No {' and no '.join(missing)}: it cannot be matched safely until someone adds it"


def validate_submission(
    data: dict[str, Any],
    *,
    today: dt.date | None = None,
    agency: Agency | None = None,
    schemes: dict[str, Any] | None = None,
) -> Submission:
    """One agency's record as submitted, checked and normalised.

    A field that fails its check is kept out of the record with a warning saying why; only a missing
    or unusable record key refuses the record (it cannot be stored or corrected without one). A
    record too bare to link is kept, waiting for someone to complete it.
    """
    today = today or timezone.localdate()
    record_key = str(data.get("record_key") or "").strip()
    if not record_key:
        raise InvalidInput(
            "The record was not received: correct the problems listed.",
            field_errors={"record_key": "Enter the agency's own key for the record"},
        )
    if len(record_key) > 100 or not record_key.isprintable():
        raise InvalidInput(
            "The record was not received: correct the problems listed.",
            field_errors={"record_key": "The record key must be up to 100 printable characters"},
        )
    errors: dict[str, str] = {}
    given = _clean_name(data.get("given_name"), "given_name", "first name", errors)
    family = _clean_name(data.get("family_name"), "family_name", "last name", errors)
    aliases_in = data.get("aliases") or []
    aliases: list[str] = []
    if not isinstance(aliases_in, list) or not all(isinstance(a, str) for a in aliases_in):
        errors["aliases"] = "Aliases must be a list of names"
    else:
        candidates = [" ".join(a.split()) for a in aliases_in if a.strip()][:20]
        aliases = [a for a in candidates if len(a) <= 200 and _NAME.match(a)]
        if len(aliases) < len(candidates):
            errors["aliases"] = "Each alias can contain only letters, spaces, hyphens and apostrophes"
    date_of_birth = _clean_date_of_birth(data.get("date_of_birth"), errors, today)
    sex_text = str(data.get("sex") or "").strip().upper()
    sex = {"MALE": "M", "FEMALE": "F", "U": "", "UNKNOWN": ""}.get(sex_text, sex_text)
    if sex not in {"", *Sex.values}:
        errors["sex"] = "Sex must be M, F or X, or left blank"
        sex = ""
    postcode = _clean_postcode(data.get("postcode"), errors)
    address = " ".join(str(data.get("address") or "").split())
    if len(address) > 300:
        errors["address"] = "The address must be 300 characters or fewer"
        address = ""
    if schemes is None:
        schemes = declared_schemes(agency)
    national, declared = _clean_identifiers(data.get("identifiers") or {}, errors, schemes)
    fields = {
        "record_key": record_key,
        "given_name": given,
        "family_name": family,
        "aliases": aliases,
        "date_of_birth": date_of_birth,
        "sex": sex,
        "postcode": postcode,
        "address": address,
        "other_identifiers": declared,
        **{_FIELD_SCHEMES[scheme]: value for scheme, value in national.items()},
    }
    warnings = [
        {"field": field, "value": _as_sent(data, field), "reason": reason}
        for field, reason in sorted(errors.items())
    ]
    return Submission(fields=fields, warnings=warnings, waiting_reason=waiting_reason_for(fields))


def _as_sent(data: dict[str, Any], field: str) -> str:
    if field.startswith("identifiers."):
        identifiers = data.get("identifiers")
        value = identifiers.get(field.split(".", 1)[1]) if isinstance(identifiers, dict) else identifiers
    else:
        value = data.get(field)
    return str(value if value is not None else "")[:200]


def _keys(cleaned: dict[str, Any]) -> dict[str, str]:
    return {
        "family_key": linkage.clean_family(cleaned["family_name"]) or "",
        "given_key": linkage.canonical_given(cleaned["given_name"]) or "",
    }


@dataclass
class Arrival:
    """A record received and what happened to it: linked, queued for review, flagged, a new person,
    or waiting (too bare to link until someone completes it)."""

    record: SourceRecord
    outcome: str  # "linked", "review", "attention", "new person", "waiting", "received"
    match_probability: float | None
    seconds: float

    @property
    def warnings(self) -> list[dict[str, str]]:
        return self.record.warnings


@transaction.atomic
def receive_record(
    *,
    agency: Agency,
    data: dict[str, Any],
    provenance: str,
    by: StaffMember | None = None,
    match: bool = True,
) -> Arrival:
    """Receive one agency's record and match it at once against existing records (no retraining).

    Above the upper threshold it joins that person; between the thresholds a review case opens;
    otherwise (or on a conflict) it becomes a person of its own until a reviewer says otherwise.
    Fields that fail their checks are kept out with a warning; a record too bare to link waits,
    unmatched, in the "cannot match yet" queue until its agency completes it.
    """
    if by is not None and by.agency_id != agency.pk and by.role != Role.ADMIN:
        raise NotPermitted("Only the holding agency can send its own records.")
    submission = validate_submission(data, agency=agency)
    cleaned = submission.fields
    if SourceRecord.objects.filter(agency=agency, record_key=cleaned["record_key"]).exists():
        raise InvalidInput(
            "The record was not received: correct the problems listed.",
            field_errors={
                "record_key": f"{agency.name} has already sent record {cleaned['record_key']}: it was not received twice"
            },
        )
    record = SourceRecord.objects.create(
        agency=agency,
        provenance=provenance[:200],
        received_by=by,
        warnings=submission.warnings,
        waiting_reason=submission.waiting_reason,
        **cleaned,
        **_keys(cleaned),
    )
    _event(
        EventKind.RECEIVED, by=by, records=[record], summary=f"{agency.name} sent record {record.record_key}"
    )
    if record.waiting_reason:
        return Arrival(record, "waiting", None, 0.0)
    if not match:
        return Arrival(record, "received", None, 0.0)
    return _match_arrival(record, by=by)


def _candidates(record: SourceRecord) -> list[SourceRecord]:
    """Existing records that share a blocking key with `record` (a superset of the model's rules)."""
    query = Q()
    if record.date_of_birth:
        query |= Q(date_of_birth=record.date_of_birth)
    if record.family_key:
        query |= Q(family_key=record.family_key, given_key=record.given_key) if record.given_key else Q()
        if record.date_of_birth:
            query |= Q(family_key=record.family_key, date_of_birth__year=record.date_of_birth.year)
        if record.postcode:
            query |= Q(family_key=record.family_key, postcode=record.postcode)
    if record.given_key and record.postcode:
        query |= Q(given_key=record.given_key, postcode=record.postcode)
    for field in ("pnc", "cro", "nomis", "nhs_number"):
        if value := getattr(record, field):
            query |= Q(**{field: value})
    if not query:
        return []
    return list(
        SourceRecord.objects.filter(query)
        .exclude(pk=record.pk)
        .filter(person__isnull=False)
        .select_related("person")[:500]
    )


def _match_arrival(record: SourceRecord, *, by: StaffMember | None) -> Arrival:
    started = time.perf_counter()
    model = active_model()
    candidates = _candidates(record)
    matches = []
    if model is not None and candidates:
        thresholds = linkage.Thresholds(model.lower_threshold, model.upper_threshold)
        matches = linkage.match_new(
            model.model,
            record.linkage_row(),
            [c.linkage_row() for c in candidates],
            thresholds=thresholds,
            term_frequencies=_term_frequencies([record, *candidates]),
            total_records=SourceRecord.objects.filter(waiting_reason="").count(),
        )
    by_id = {c.pk: c for c in candidates}
    if not matches:
        _new_person_for([record], by=by)
        return Arrival(record, "new person", None, time.perf_counter() - started)
    best = matches[0]
    other = by_id[best["unique_id_l"] if best["unique_id_l"] != record.pk else best["unique_id_r"]]
    kept_apart = _current_decision(record, other, Outcome.DIFFERENT)
    if best["match_probability"] >= model.upper_threshold and not kept_apart:
        clashes = _identifier_clashes(record, other.person)
        if not clashes:
            _attach(
                record, other.person, by=by, summary=f"linked on arrival ({best['match_probability']:.1%})"
            )
            return Arrival(record, "linked", best["match_probability"], time.perf_counter() - started)
        _new_person_for([record], by=by)
        # Kept apart: the new record as a person of its own, and the person it would have joined.
        held = list(other.person.source_records.exclude(pk=record.pk).values_list("pk", flat=True))
        _open_conflict([record.pk, *held], clashes, run=None, groups=[[record.pk], held])
        return Arrival(record, "attention", best["match_probability"], time.perf_counter() - started)
    _new_person_for([record], by=by)
    for row in matches:
        other_id = row["unique_id_l"] if row["unique_id_l"] != record.pk else row["unique_id_r"]
        _open_review(record.pk, other_id, row, model=model, run=None)
    return Arrival(record, "review", best["match_probability"], time.perf_counter() - started)


def _term_frequencies(records: Sequence[SourceRecord]) -> dict[str, dict[str, int]]:
    """How many linkable records hold each name and postcode of `records`: what linkage's
    term-frequency adjustment needs (a shared rare surname says more than a shared common one)."""
    linkable = SourceRecord.objects.filter(waiting_reason="")
    frequencies: dict[str, dict[str, int]] = {}
    for column, field in (
        ("family_name", "family_key"),
        ("given_canonical", "given_key"),
        ("postcode", "postcode"),
    ):
        values = {getattr(r, field) for r in records if getattr(r, field)}
        counts = linkable.filter(**{f"{field}__in": values}).values(field).annotate(n=Count("pk"))
        shares: dict[str, int] = {}
        for row in counts:
            key = re.sub(r"[^A-Z0-9]", "", row[field]) if field == "postcode" else row[field]
            shares[key] = shares.get(key, 0) + row["n"]
        frequencies[column] = shares
    return frequencies


def _identifier_clashes(record: SourceRecord, person: Person) -> list[str]:
    reasons = []
    others = list(person.source_records.exclude(pk=record.pk))
    for field, label in (
        ("pnc", "PNC IDs"),
        ("cro", "CRO numbers"),
        ("nomis", "NOMIS numbers"),
        ("nhs_number", "NHS numbers"),
    ):
        mine = getattr(record, field)
        if mine and any(getattr(o, field) and getattr(o, field) != mine for o in others):
            reasons.append(f"two different {label}")
    return reasons


# -- training and linking --------------------------------------------------------------------------


def active_model() -> LinkageModel | None:
    return LinkageModel.objects.filter(is_active=True).order_by("-trained_at").first()


def _records_table(con) -> tuple[str, int]:
    rows = (
        SourceRecord.objects.values_list(
            "pk",
            "given_name",
            "family_name",
            "date_of_birth",
            "sex",
            "postcode",
            "pnc",
            "cro",
            "nomis",
            "nhs_number",
            "address",
            "other_identifiers",
        )
        .filter(waiting_reason="")
        .iterator(chunk_size=5000)
    )
    names = linkage.RAW_SCHEMA.names
    table = linkage.raw_table(
        dict(zip(names, (*row[:-1], [f"{k}:{v}" for k, v in sorted(row[-1].items())]), strict=True))
        for row in rows
    )
    return linkage.prepare(con, table), table.num_rows


def train_model(
    *,
    by: StaffMember | None = None,
    thresholds: linkage.Thresholds | None = None,
    seed: int = 1,
    u_max_pairs: float = 1e6,
    progress: Progress = _no_progress,
) -> LinkageModel:
    """Train a new model by EM on every source record the partnership holds, and make it the active one."""
    if by is not None and by.role not in REVIEWER_ROLES:
        raise NotPermitted("Only an information-governance lead or an administrator can retrain linkage.")
    thresholds = thresholds or linkage.Thresholds()
    con = linkage.connect(threads=2)
    try:
        table, count = _records_table(con)
        if count < 2:
            raise InvalidInput(
                "At least two source records are needed before a linkage model can be trained."
            )
        # Numbered from one in arrival order, so the same records train the same model whatever
        # their database ids (PostgreSQL never reuses a sequence's numbers).
        renumbered = "select * replace (row_number() over (order by unique_id) as unique_id) from "
        con.execute(f"create or replace table iom_training as {renumbered}{table}")
        report = linkage.train(con, "iom_training", seed=seed, u_max_pairs=u_max_pairs, progress=progress)
    finally:
        con.close()
    with transaction.atomic():
        LinkageModel.objects.filter(is_active=True).update(is_active=False)
        return LinkageModel.objects.create(
            trained_by=by,
            splink_version=version("splink"),
            model=report.model,
            records_trained_on=report.records,
            training_seconds=report.seconds,
            training_steps=report.steps,
            lower_threshold=thresholds.lower,
            upper_threshold=thresholds.upper,
        )


def _must_link_pairs() -> list[tuple[int, int]]:
    """Records already one person, and pairs a reviewer ruled the same: linking keeps them together."""
    pairs = []
    first_of: dict[Any, int] = {}
    for record_id, person_id in (
        SourceRecord.objects.filter(person__isnull=False).values_list("pk", "person_id").order_by("pk")
    ):
        if person_id in first_of:
            pairs.append((first_of[person_id], record_id))
        else:
            first_of[person_id] = record_id
    pairs += list(
        MatchDecision.objects.filter(superseded_at__isnull=True, outcome=Outcome.SAME).values_list(
            "record_a", "record_b"
        )
    )
    return pairs


def _cannot_link_pairs() -> list[tuple[int, int]]:
    return list(
        MatchDecision.objects.filter(superseded_at__isnull=True, outcome=Outcome.DIFFERENT).values_list(
            "record_a", "record_b"
        )
    )


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
    progress: Progress = _no_progress,
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
    for conflict in result.conflicts:
        if _open_conflict(conflict.records, conflict.reasons, run=run, groups=conflict.kept_together):
            run.conflicts += 1
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
    ReviewCase.objects.bulk_create(cases, batch_size=1000)
    run.review_cases = len(cases)


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
    records = SourceRecord.objects.select_related("agency").in_bulk(ids)
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
    Person.objects.bulk_create(people, batch_size=1000)
    for record in records.values():
        record.person_id = record.person.pk if record.person_id is None else record.person_id
    merging.move_rows(SourceRecord, {record.pk: record.person_id for record in records.values()})
    taken = set(AgencyIdentifier.objects.values_list("agency_id", "scheme", "value"))
    identifiers = []
    for record in records.values():
        for scheme, value in record.identifiers.items():
            key = (record.agency_id, scheme, value)
            if key not in taken:
                taken.add(key)
                identifiers.append(
                    AgencyIdentifier(
                        person_id=record.person_id, agency_id=record.agency_id, scheme=scheme, value=value
                    )
                )
    AgencyIdentifier.objects.bulk_create(identifiers, batch_size=1000)
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
    ResolutionEvent.objects.bulk_create(events, batch_size=1000)
    Through = ResolutionEvent.records.through
    Through.objects.bulk_create(
        [
            Through(resolutionevent_id=event.pk, sourcerecord_id=record.pk)
            for event in events
            for record in by_person[event.person_id]
        ],
        batch_size=1000,
    )


def _review_case(
    a: int, b: int, row: dict[str, Any], *, model: LinkageModel, run: LinkageRun | None
) -> ReviewCase:
    return ReviewCase(
        record_a_id=a,
        record_b_id=b,
        match_probability=row["match_probability"],
        match_weight=row["match_weight"],
        weights={k: v for k, v in row.items() if k.startswith("mw_")},
        model=model,
        run=run,
    )


def _open_review(
    a: int, b: int, row: dict[str, Any], *, model: LinkageModel, run: LinkageRun | None
) -> ReviewCase | None:
    a, b = min(a, b), max(a, b)
    if ReviewCase.objects.filter(record_a_id=a, record_b_id=b, status=ReviewStatus.OPEN).exists():
        return None
    if MatchDecision.objects.filter(record_a_id=a, record_b_id=b, superseded_at__isnull=True).exists():
        return None
    case = _review_case(a, b, row, model=model, run=run)
    case.save()
    return case


def _open_conflict(
    record_ids: Sequence[int],
    reasons: Sequence[str],
    *,
    run: LinkageRun | None,
    groups: Sequence[Sequence[int]] = (),
) -> ConflictCase | None:
    ids = sorted(set(record_ids))
    signature = hashlib.sha256(
        (",".join(map(str, ids)) + "|" + "|".join(sorted(reasons))).encode()
    ).hexdigest()
    if ConflictCase.objects.filter(signature=signature, resolved_at__isnull=True).exists():
        return None
    case = ConflictCase.objects.create(
        reasons=sorted(set(reasons)), groups=[list(g) for g in groups], run=run, signature=signature
    )
    case.records.set(ids)
    _event(
        EventKind.FLAGGED,
        records=SourceRecord.objects.filter(pk__in=ids),
        summary="Not merged, needs attention: " + "; ".join(case.reasons),
    )
    return case


# -- people, merges and unmerges -------------------------------------------------------------------


def _best(records: Sequence[SourceRecord]) -> SourceRecord:
    """The most complete record names the new person; the earliest received breaks ties."""
    return max(
        records,
        key=lambda r: (
            bool(r.given_name) + bool(r.family_name) + bool(r.date_of_birth) + bool(r.postcode),
            -r.pk,
        ),
    )


def _new_person_for(records: Sequence[SourceRecord], *, by: StaffMember | None) -> Person:
    best = _best(records)
    person = Person.objects.create(
        given_name=best.given_name.title() if best.given_name.isupper() else best.given_name,
        family_name=best.family_name.title() if best.family_name.isupper() else best.family_name,
        date_of_birth=best.date_of_birth,
    )
    for record in records:
        _attach(record, person, by=by, summary="a new person was created from the agency's record")
    return person


def _attach(record: SourceRecord, person: Person, *, by: StaffMember | None, summary: str) -> None:
    """Resolve `record` to `person` and give the person the agency identifiers the record carries."""
    record.person = person
    record.save(update_fields=["person"])
    for scheme, value in record.identifiers.items():
        existing = AgencyIdentifier.objects.filter(
            agency_id=record.agency_id, scheme=scheme, value=value
        ).first()
        if existing is None:
            AgencyIdentifier.objects.create(
                person=person, agency_id=record.agency_id, scheme=scheme, value=value
            )
    _event(EventKind.LINKED, by=by, person=person, records=[record], summary=f"{record}: {summary}")


def _event(
    kind: str,
    *,
    summary: str,
    by: StaffMember | None = None,
    person: Person | None = None,
    other_person: Person | None = None,
    records: Iterable[SourceRecord] = (),
    merge: Merge | None = None,
) -> ResolutionEvent:
    event = ResolutionEvent.objects.create(
        kind=kind, by=by, person=person, other_person=other_person, merge=merge, summary=summary[:500]
    )
    records = list(records)
    if records:
        event.records.set(records)
    return event


def _ledger(
    action_name: str, *, by: StaffMember | None, person: Person | None, details: dict[str, Any]
) -> None:
    """Record the change on the ledger when the ledger app is installed (it is built alongside)."""
    if not apps.is_installed("iomshare.ledger"):
        return
    from iomshare.ledger import services as ledger
    from iomshare.ledger.models import Action

    action = getattr(Action, action_name, None) or Action.ADMIN_CHANGE
    ledger.record(action, by=by, person=person, details={"identity": action_name.lower(), **details})


def _tell_holding_agencies(
    records: Iterable[SourceRecord], *, kind: str, message: str, person: Person | None, by: StaffMember | None
) -> None:
    """Each holding agency is told its record was merged or split: a notice here and, when the alerts
    app is installed, a notification to its information-governance leads."""
    by_agency: dict[int, list[SourceRecord]] = {}
    for record in records:
        by_agency.setdefault(record.agency_id, []).append(record)
    for agency_id, held in by_agency.items():
        for record in held:
            HoldingAgencyNotice.objects.create(
                agency_id=agency_id,
                record=record,
                kind=kind,
                message=f"Your record {record.record_key}: {message}"[:500],
            )
        if apps.is_installed("iomshare.alerts"):
            from iomshare.alerts import services as alerts

            leads = StaffMember.objects.filter(agency_id=agency_id, role=Role.IG_LEAD, is_active=True)
            keys = ", ".join(r.record_key for r in held[:5]) + ("…" if len(held) > 5 else "")
            alerts.notify(
                leads,
                message=f"Your record(s) {keys}: {message}",
                link=f"/identity/people/{person.pk}/history/" if person else "",
                reason=f"identity_{kind}",
                person=person,
                by=by,
            )


def _moved_rows(absorbed: Person) -> dict[str, list[Any]]:
    return {
        "source_records": list(SourceRecord.objects.filter(person=absorbed).values_list("pk", flat=True)),
        "identifiers": list(AgencyIdentifier.objects.filter(person=absorbed).values_list("pk", flat=True)),
        "memberships": list(CohortMembership.objects.filter(person=absorbed).values_list("pk", flat=True)),
    }


def _details(person: Person) -> dict[str, Any]:
    return {
        "given_name": person.given_name,
        "family_name": person.family_name,
        "date_of_birth": person.date_of_birth.isoformat() if person.date_of_birth else None,
    }


@transaction.atomic
def merge_people(
    survivor: Person,
    absorbed: Person,
    *,
    reason: str,
    by: StaffMember | None = None,
    rationale: str = "",
    match_probability: float | None = None,
    run: LinkageRun | None = None,
) -> Merge:
    """Move everything of `absorbed` (records, items, identifiers, memberships) to `survivor`.

    What moved is written down id by id, so `unmerge` can restore exactly the state before.
    The absorbed Person row stays (empty), so references to it elsewhere keep their meaning.
    """
    if survivor.pk == absorbed.pk:
        raise InvalidInput("A person cannot be merged with themselves.")
    if Merge.objects.filter(absorbed=survivor, undone_at__isnull=True).exists():
        raise InvalidInput(
            f"{survivor} has already been merged into someone else: merge into that person instead."
        )
    moved = _moved_rows(absorbed)
    survivor_before = _details(survivor)
    SourceRecord.objects.filter(pk__in=moved["source_records"]).update(person=survivor)
    AgencyIdentifier.objects.filter(pk__in=moved["identifiers"]).update(person=survivor)
    CohortMembership.objects.filter(pk__in=moved["memberships"]).update(person=survivor)
    moved["items"] = records.reassign_items(absorbed, survivor, by=by)
    if survivor.date_of_birth is None and absorbed.date_of_birth is not None:
        survivor.date_of_birth = absorbed.date_of_birth
        survivor.save(update_fields=["date_of_birth"])
    merge = Merge.objects.create(
        survivor=survivor,
        absorbed=absorbed,
        moved=moved,
        survivor_before=survivor_before,
        reason=reason,
        match_probability=match_probability,
        rationale=rationale,
        merged_by=by,
        run=run,
    )
    moved_records = list(SourceRecord.objects.filter(pk__in=moved["source_records"]).select_related("agency"))
    kept_records = list(SourceRecord.objects.filter(person=survivor).exclude(pk__in=moved["source_records"]))
    _event(
        EventKind.MERGED,
        by=by,
        person=survivor,
        other_person=absorbed,
        records=moved_records + kept_records,
        merge=merge,
        summary=f"{absorbed.full_name} merged into {survivor.full_name}: {merge.get_reason_display().lower()}",
    )
    _ledger(
        "MERGE",
        by=by,
        person=survivor,
        details={
            "merge_id": merge.pk,
            "absorbed": str(absorbed.pk),
            "moved": {k: len(v) for k, v in moved.items()},
        },
    )
    _tell_holding_agencies(
        moved_records + kept_records,
        kind=EventKind.MERGED,
        message=f"now resolved to one person with other agencies' records ({survivor.full_name})",
        person=survivor,
        by=by,
    )
    return merge


@transaction.atomic
def unmerge(merge: Merge, *, by: StaffMember, rationale: str) -> None:
    """Undo a merge: put back exactly the records, items, identifiers and memberships it moved, and
    the survivor's details; rule the two sides different people so linking does not merge them again."""
    if by.role not in REVIEWER_ROLES:
        raise NotPermitted("Only an information-governance lead or an administrator can undo a merge.")
    rationale = (rationale or "").strip()
    if not rationale:
        raise InvalidInput(
            "Say why the merge is being undone.", field_errors={"rationale": "Enter the reason"}
        )
    merge = Merge.objects.select_for_update().get(pk=merge.pk)
    if merge.is_undone:
        raise InvalidInput("This merge has already been undone.")
    later = Merge.objects.filter(absorbed=merge.survivor, undone_at__isnull=True).first()
    if later is not None:
        raise InvalidInput(
            f"{merge.survivor} was later merged into {later.survivor}: undo that merge first, then this one."
        )
    moved = merge.moved
    survivor, absorbed = merge.survivor, merge.absorbed
    checks = {
        "source records": SourceRecord.objects.filter(pk__in=moved["source_records"]).exclude(
            person=survivor
        ),
        "identifiers": AgencyIdentifier.objects.filter(pk__in=moved["identifiers"]).exclude(person=survivor),
        "memberships": CohortMembership.objects.filter(pk__in=moved["memberships"]).exclude(person=survivor),
    }
    strays = [name for name, rows in checks.items() if rows.exists()]
    if strays:
        raise InvalidInput(
            "Some of what this merge moved has since moved again ("
            + ", ".join(strays)
            + "), so it cannot be "
            "undone exactly. Undo the later change first."
        )
    SourceRecord.objects.filter(pk__in=moved["source_records"]).update(person=absorbed)
    AgencyIdentifier.objects.filter(pk__in=moved["identifiers"]).update(person=absorbed)
    CohortMembership.objects.filter(pk__in=moved["memberships"]).update(person=absorbed)
    records.restore_items(moved.get("items", []), absorbed, by=by)
    before = merge.survivor_before
    survivor.given_name = before["given_name"]
    survivor.family_name = before["family_name"]
    survivor.date_of_birth = (
        dt.date.fromisoformat(before["date_of_birth"]) if before.get("date_of_birth") else None
    )
    survivor.save(update_fields=["given_name", "family_name", "date_of_birth"])
    merge.undone_at = timezone.now()
    merge.undone_by = by
    merge.undo_rationale = rationale
    merge.save(update_fields=["undone_at", "undone_by", "undo_rationale"])
    returned = list(SourceRecord.objects.filter(pk__in=moved["source_records"]).select_related("agency"))
    staying = list(SourceRecord.objects.filter(person=survivor).select_related("agency"))
    for left in staying:
        for right in returned:
            _record_decision(
                left,
                right,
                outcome=Outcome.DIFFERENT,
                confidence=Confidence.CERTAIN,
                rationale=f"Merge undone: {rationale}",
                by=by,
            )
    ReviewCase.objects.filter(status=ReviewStatus.OPEN).filter(
        Q(record_a__in=[r.pk for r in staying], record_b__in=[r.pk for r in returned])
        | Q(record_a__in=[r.pk for r in returned], record_b__in=[r.pk for r in staying])
    ).update(status=ReviewStatus.KEPT_APART, closed_at=timezone.now())
    _event(
        EventKind.UNMERGED,
        by=by,
        person=survivor,
        other_person=absorbed,
        records=returned + staying,
        merge=merge,
        summary=f"Merge of {absorbed.full_name} into {survivor.full_name} undone: {rationale}",
    )
    _ledger("MERGE", by=by, person=survivor, details={"unmerge_of": merge.pk, "rationale": rationale[:500]})
    _tell_holding_agencies(
        returned + staying,
        kind=EventKind.SPLIT,
        message="split again: an earlier merge was undone",
        person=survivor,
        by=by,
    )


@transaction.atomic
def split_record(record: SourceRecord, *, by: StaffMember, rationale: str) -> Person:
    """Take one record off its person into a new person of its own, with the identifiers it brought."""
    if by.role not in REVIEWER_ROLES:
        raise NotPermitted("Only an information-governance lead or an administrator can split a record off.")
    old = record.person
    if old is None or not SourceRecord.objects.filter(person=old).exclude(pk=record.pk).exists():
        raise InvalidInput("This record is the only one its person has: there is nothing to split it from.")
    person = Person.objects.create(
        given_name=record.given_name.title() if record.given_name.isupper() else record.given_name,
        family_name=record.family_name.title() if record.family_name.isupper() else record.family_name,
        date_of_birth=record.date_of_birth,
    )
    record.person = person
    record.save(update_fields=["person"])
    for scheme, value in record.identifiers.items():
        AgencyIdentifier.objects.filter(
            agency_id=record.agency_id, scheme=scheme, value=value, person=old
        ).update(person=person)
    _event(
        EventKind.SPLIT,
        by=by,
        person=person,
        other_person=old,
        records=[record],
        summary=f"{record} split off from {old.full_name}: {rationale}",
    )
    _ledger("MERGE", by=by, person=old, details={"split_record": record.pk, "new_person": str(person.pk)})
    _tell_holding_agencies(
        [record], kind=EventKind.SPLIT, message="split off into a person of its own", person=person, by=by
    )
    return person


# -- reviewers' decisions --------------------------------------------------------------------------


def _current_decision(a: SourceRecord, b: SourceRecord, outcome: str | None = None) -> MatchDecision | None:
    low, high = sorted((a.pk, b.pk))
    query = MatchDecision.objects.filter(record_a_id=low, record_b_id=high, superseded_at__isnull=True)
    if outcome:
        query = query.filter(outcome=outcome)
    return query.first()


def _record_decision(
    a: SourceRecord, b: SourceRecord, *, outcome: str, confidence: str, rationale: str, by: StaffMember
) -> MatchDecision:
    low, high = (a, b) if a.pk < b.pk else (b, a)
    MatchDecision.objects.filter(record_a=low, record_b=high, superseded_at__isnull=True).update(
        superseded_at=timezone.now()
    )
    return MatchDecision.objects.create(
        record_a=low,
        record_b=high,
        outcome=outcome,
        confidence=confidence,
        rationale=rationale,
        decided_by=by,
    )


@transaction.atomic
def check_decision(
    record_a: SourceRecord,
    record_b: SourceRecord,
    *,
    outcome: str,
    confidence: str,
    rationale: str,
    by: StaffMember,
) -> str:
    """Check a reviewer's decision without recording it (the merge confirmation page asks first);
    returns the reason as it will be kept."""
    if by.role not in REVIEWER_ROLES:
        raise NotPermitted(
            "Only an information-governance lead, partnership manager or administrator can decide matches."
        )
    errors = {}
    if outcome not in Outcome.values:
        errors["outcome"] = "Select whether the records are the same person or different people"
    if confidence not in Confidence.values:
        errors["confidence"] = "Select how confident you are"
    rationale = (rationale or "").strip()
    if not rationale:
        errors["rationale"] = "Enter the reason for your decision"
    elif len(rationale) > 2000:
        errors["rationale"] = "The reason must be 2,000 characters or fewer"
    if record_a.pk == record_b.pk:
        errors["outcome"] = "A record cannot be compared with itself"
    if errors:
        raise InvalidInput("The decision was not recorded: correct the problems listed.", field_errors=errors)
    return rationale


def decide(
    record_a: SourceRecord,
    record_b: SourceRecord,
    *,
    outcome: str,
    confidence: str,
    rationale: str,
    by: StaffMember,
) -> MatchDecision:
    """A reviewer rules two records the same person (they are merged now) or different people (they
    are separated now); later automatic linking obeys the ruling."""
    rationale = check_decision(
        record_a, record_b, outcome=outcome, confidence=confidence, rationale=rationale, by=by
    )
    record_a.refresh_from_db()
    record_b.refresh_from_db()
    decision = _record_decision(
        record_a, record_b, outcome=outcome, confidence=confidence, rationale=rationale, by=by
    )
    if outcome == Outcome.SAME and record_a.person_id != record_b.person_id:
        persons = [p for p in (record_a.person, record_b.person) if p is not None]
        if len(persons) == 2:
            counts = {p.pk: p.source_records.count() for p in persons}
            survivor, absorbed = sorted(persons, key=lambda p: (-counts[p.pk], p.created_at))
            merge_people(survivor, absorbed, reason=MergeReason.REVIEW, by=by, rationale=rationale)
    elif (
        outcome == Outcome.DIFFERENT
        and record_a.person_id is not None
        and record_a.person_id == record_b.person_id
    ):
        _separate(record_a, record_b, by=by, rationale=rationale)
    status = ReviewStatus.LINKED if outcome == Outcome.SAME else ReviewStatus.KEPT_APART
    low, high = sorted((record_a.pk, record_b.pk))
    ReviewCase.objects.filter(record_a_id=low, record_b_id=high, status=ReviewStatus.OPEN).update(
        status=status, decision=decision, closed_at=timezone.now()
    )
    _event(
        EventKind.DECIDED,
        by=by,
        person=SourceRecord.objects.get(pk=record_a.pk).person,
        records=[record_a, record_b],
        summary=f"{record_a} and {record_b}: {decision.get_outcome_display().lower()} "
        f"({decision.get_confidence_display().lower()}): {rationale}",
    )
    _ledger(
        "MERGE",
        by=by,
        person=record_a.person,
        details={
            "decision_id": decision.pk,
            "outcome": outcome,
            "confidence": confidence,
            "records": [low, high],
        },
    )
    return decision


def _separate(a: SourceRecord, b: SourceRecord, *, by: StaffMember, rationale: str) -> None:
    """Two records of one person ruled different people: undo the merge that joined them if there is
    one, otherwise split the later-received record off."""
    for merge in Merge.objects.filter(survivor_id=a.person_id, undone_at__isnull=True).order_by("-merged_at"):
        moved = set(merge.moved.get("source_records", []))
        if (a.pk in moved) != (b.pk in moved) and not Merge.objects.filter(
            absorbed=merge.survivor, undone_at__isnull=True
        ).exists():
            try:
                unmerge(merge, by=by, rationale=rationale)
                return
            except InvalidInput:
                break
    split_record(b if b.pk > a.pk else a, by=by, rationale=rationale)


@transaction.atomic
def resolve_conflict(case: ConflictCase, *, by: StaffMember, note: str) -> ConflictCase:
    """Close a needs-attention case once a reviewer has made the rulings it needed."""
    if by.role not in REVIEWER_ROLES:
        raise NotPermitted(
            "Only an information-governance lead, partnership manager or administrator can close this."
        )
    note = (note or "").strip()
    if not note:
        raise InvalidInput("Say what was decided.", field_errors={"note": "Enter what was decided"})
    if case.resolved_at is not None:
        raise InvalidInput("This case has already been closed.")
    case.resolved_at, case.resolved_by, case.resolution_note = timezone.now(), by, note
    case.save(update_fields=["resolved_at", "resolved_by", "resolution_note"])
    return case


def get_or_404(model, **lookup):
    try:
        return model.objects.get(**lookup)
    except (model.DoesNotExist, ValueError, IntegrityError) as error:
        raise NotFound(f"No such {model._meta.verbose_name}.") from error
