"""Receiving one source record and matching it on arrival against the records already linked."""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Q

from iomshare.errors import InvalidInput, NotPermitted
from iomshare.identity import linkage
from iomshare.identity.models import (
    EventKind,
    Outcome,
    SourceRecord,
)
from iomshare.identity.resolution import (
    _attach,
    _current_decision,
    _event,
    _new_person_for,
    _open_conflict,
    _open_review,
)
from iomshare.identity.submissions import name_keys, validate_submission
from iomshare.identity.training import active_model
from iomshare.partnership.models import Agency, Role, StaffMember
from iomshare.people.models import Person


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
        **name_keys(cleaned),
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
    assert model is not None  # matches come only from a model
    best = matches[0]
    other = by_id[best["unique_id_l"] if best["unique_id_l"] != record.pk else best["unique_id_r"]]
    other_person = other.person
    assert other_person is not None  # candidates are records already matched to a person
    kept_apart = _current_decision(record, other, Outcome.DIFFERENT)
    if best["match_probability"] >= model.upper_threshold and not kept_apart:
        clashes = _identifier_clashes(record, other_person)
        if not clashes:
            _attach(
                record, other_person, by=by, summary=f"linked on arrival ({best['match_probability']:.1%})"
            )
            return Arrival(record, "linked", best["match_probability"], time.perf_counter() - started)
        _new_person_for([record], by=by)
        # Kept apart: the new record as a person of its own, and the person it would have joined.
        held = list(other_person.source_records.exclude(pk=record.pk).values_list("pk", flat=True))
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
