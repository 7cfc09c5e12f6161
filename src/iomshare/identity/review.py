"""Reviewers' decisions on a pair of records (same person, different people) and on conflicts."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from iomshare.errors import InvalidInput, NotPermitted
from iomshare.identity.models import (
    Confidence,
    ConflictCase,
    EventKind,
    MatchDecision,
    Merge,
    MergeReason,
    Outcome,
    ReviewCase,
    ReviewStatus,
    SourceRecord,
)
from iomshare.identity.person_merges import merge_people, split_record, unmerge
from iomshare.identity.resolution import REVIEWER_ROLES, _event, _ledger, _record_decision
from iomshare.partnership.models import StaffMember


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
