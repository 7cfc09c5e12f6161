"""What every change to which person a record belongs to leaves behind: the person made for new
records, the record's history, the ledger entry, the holding agencies told, the review and
conflict cases opened, and the reviewers' standing rulings on pairs."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.apps import apps
from django.utils import timezone

from iomshare.identity.models import (
    ConflictCase,
    EventKind,
    HoldingAgencyNotice,
    LinkageModel,
    LinkageRun,
    MatchDecision,
    Merge,
    ResolutionEvent,
    ReviewCase,
    ReviewStatus,
    SourceRecord,
)
from iomshare.partnership.models import Role, StaffMember
from iomshare.people.models import AgencyIdentifier, Person

Progress = Callable[[str, int, int], None]

REVIEWER_ROLES = {Role.IG_LEAD, Role.PARTNERSHIP_MANAGER, Role.ADMIN}


def no_progress(step: str, done: int, total: int) -> None:
    return None


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


# -- people and their history ---------------------------------------------------------------------


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
