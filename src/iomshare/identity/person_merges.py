"""Merging two people, undoing a merge and splitting a record off, as a reviewer decides them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from iomshare.errors import InvalidInput, NotPermitted
from iomshare.identity.models import (
    Confidence,
    EventKind,
    LinkageRun,
    Merge,
    Outcome,
    ReviewCase,
    ReviewStatus,
    SourceRecord,
)
from iomshare.identity.resolution import (
    REVIEWER_ROLES,
    _event,
    _ledger,
    _record_decision,
    _tell_holding_agencies,
)
from iomshare.partnership.models import StaffMember
from iomshare.people.models import AgencyIdentifier, CohortMembership, Person
from iomshare.records import services as records


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
