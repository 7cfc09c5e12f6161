"""A linking run's merges, set-based: every person a run absorbs is merged in a few queries.

The first link over a partnership's records (each received before a model existed, so each its own
person) can merge tens of thousands of people. Merged one by one, that was a ledger entry and a notice
per record for every merge. Here the run does exactly what `services.merge_people` would do pair by
pair (same people, same records, items, identifiers and memberships moved, a `Merge` row per absorbed
person with what it moved, so each merge can still be undone on its own), but in bulk: one ledger
entry for the run naming every merge, and one notice per holding agency summarising its records.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.apps import apps
from django.db import transaction

from iomshare.identity import bulk_rows
from iomshare.identity.models import (
    EventKind,
    HoldingAgencyNotice,
    LinkageRun,
    Merge,
    MergeReason,
    ResolutionEvent,
    SourceRecord,
)
from iomshare.ledger import services as ledger
from iomshare.ledger.models import Action
from iomshare.partnership.models import Role, StaffMember
from iomshare.people.models import AgencyIdentifier, CohortMembership, Person
from iomshare.records import services as records

CHUNK = 1000
MergePlan = Sequence[tuple[Person, Sequence[Person]]]  # each survivor and the people it absorbs, in order


def _rows_by_person(model, person_ids: list[Any], *fields: str) -> dict[Any, list[tuple]]:
    """Rows of `model` held by each of `person_ids` (in id order), read in one pass over the table:
    a first link merges most of it, and naming tens of thousands of people in queries cost more."""
    wanted = set(person_ids)
    held: dict[Any, list[tuple]] = {}
    rows = model.objects.filter(person__isnull=False).order_by("pk").values_list("person_id", "pk", *fields)
    for person_id, *rest in rows.iterator(chunk_size=10_000):
        if person_id in wanted:
            held.setdefault(person_id, []).append(tuple(rest))
    return held


def _details(person: Person) -> dict[str, Any]:
    return {
        "given_name": person.given_name,
        "family_name": person.family_name,
        "date_of_birth": person.date_of_birth.isoformat() if person.date_of_birth else None,
    }


def move_rows(model, moves: dict[Any, Any]) -> None:
    """Give each row in `moves` (row id -> person id) its new person, a thousand rows a query."""
    bulk_rows.update_field(model, "person", moves)


@transaction.atomic
def merge_in_bulk(
    plan: MergePlan, *, run: LinkageRun, by: StaffMember | None, reason: str = MergeReason.AUTOMATIC
) -> list[Merge]:
    """Merge every absorbed person of `plan` into its survivor, as `merge_people` would one by one.

    Writes a `Merge` per absorbed person (what moved, the survivor's details before), a history event
    per merge, one ledger entry for the whole run and one notice per holding agency. Returns the merges.
    """
    plan = [(survivor, list(absorbed)) for survivor, absorbed in plan if absorbed]
    if not plan:
        return []
    absorbed_ids = [person.pk for _, absorbed in plan for person in absorbed]
    survivor_ids = [survivor.pk for survivor, _ in plan]
    held_records = _rows_by_person(SourceRecord, absorbed_ids + survivor_ids, "agency_id", "record_key")
    held_identifiers = _rows_by_person(AgencyIdentifier, absorbed_ids)
    held_memberships = _rows_by_person(CohortMembership, absorbed_ids)
    moved_items = records.reassign_items_of_many(
        {person.pk: survivor for survivor, absorbed in plan for person in absorbed}, by=by
    )
    record_moves: dict[int, Any] = {}
    identifier_moves: dict[int, Any] = {}
    membership_moves: dict[int, Any] = {}
    merges: list[Merge] = []
    merged_records: list[list[int]] = []  # per merge: the records moved, then the survivor's others
    changed_survivors = []
    for survivor, absorbed in plan:
        kept = [row[0] for row in held_records.get(survivor.pk, [])]
        for person in absorbed:
            moved = {
                "source_records": [row[0] for row in held_records.get(person.pk, [])],
                "identifiers": [row[0] for row in held_identifiers.get(person.pk, [])],
                "memberships": [row[0] for row in held_memberships.get(person.pk, [])],
                "items": moved_items.get(person.pk, []),
            }
            record_moves.update(dict.fromkeys(moved["source_records"], survivor.pk))
            identifier_moves.update(dict.fromkeys(moved["identifiers"], survivor.pk))
            membership_moves.update(dict.fromkeys(moved["memberships"], survivor.pk))
            before = _details(survivor)
            if survivor.date_of_birth is None and person.date_of_birth is not None:
                survivor.date_of_birth = person.date_of_birth
                changed_survivors.append(survivor)
            merges.append(
                Merge(
                    survivor=survivor,
                    absorbed=person,
                    moved=moved,
                    survivor_before=before,
                    reason=reason,
                    merged_by=by,
                    run=run,
                )
            )
            merged_records.append(moved["source_records"] + kept)
            kept = kept + moved["source_records"]
    move_rows(SourceRecord, record_moves)
    move_rows(AgencyIdentifier, identifier_moves)
    move_rows(CohortMembership, membership_moves)
    bulk_rows.update_field(Person, "date_of_birth", {p.pk: p.date_of_birth for p in changed_survivors})
    bulk_rows.insert(Merge, merges)
    _history(merges, merged_records, by=by)
    _ledger_entry(merges, run=run, by=by, records_moved=len(record_moves))
    agency_of = {pk: agency_id for rows in held_records.values() for pk, agency_id, _key in rows}
    _tell_holding_agencies(
        [agency_of[pk] for pk in {pk for records_of_merge in merged_records for pk in records_of_merge}],
        run=run,
        merges=len(merges),
        by=by,
    )
    return merges


def _history(merges: list[Merge], merged_records: list[list[int]], *, by: StaffMember | None) -> None:
    """A `merged` event in each person's history, naming the records the merge brought together."""
    events = [
        ResolutionEvent(
            kind=EventKind.MERGED,
            by=by,
            person=merge.survivor,
            other_person=merge.absorbed,
            merge=merge,
            summary=(
                f"{merge.absorbed.full_name} merged into {merge.survivor.full_name}: "
                f"{merge.get_reason_display().lower()}"
            )[:500],
        )
        for merge in merges
    ]
    bulk_rows.insert(ResolutionEvent, events)
    bulk_rows.insert_values(
        ResolutionEvent.records.through,
        ["resolutionevent_id", "sourcerecord_id"],
        [
            (event.pk, record_id)
            for event, record_ids in zip(events, merged_records, strict=True)
            for record_id in record_ids
        ],
    )


def _ledger_entry(
    merges: list[Merge], *, run: LinkageRun, by: StaffMember | None, records_moved: int
) -> None:
    """One ledger entry for the run's merges, naming each: merge id, absorbed person, survivor."""
    ledger.record(
        Action.MERGE,
        by=by,
        person=None,
        details={
            "identity": "merge",
            "linkage_run": run.pk,
            "merges": len(merges),
            "records_moved": records_moved,
            "items_moved": sum(len(merge.moved["items"]) for merge in merges),
            "merged": [[merge.pk, str(merge.absorbed_id), str(merge.survivor_id)] for merge in merges],
        },
    )


def _tell_holding_agencies(
    agency_ids: Iterable[int], *, run: LinkageRun, merges: int, by: StaffMember | None
) -> None:
    """Each holding agency is told once what the run did to its records, and its information-
    governance leads get one notification, not one per merge."""
    counts: dict[int, int] = {}
    for agency_id in agency_ids:
        counts[agency_id] = counts.get(agency_id, 0) + 1
    notices = []
    for agency_id, count in sorted(counts.items()):
        message = (
            f"Linking run {run.pk}: {count:,} of your records are now resolved to one person with other "
            f"records ({merges:,} merges in the run; each can be undone from the person's history)"
        )
        notices.append(
            HoldingAgencyNotice(agency_id=agency_id, run=run, kind=EventKind.MERGED, message=message)
        )
        if apps.is_installed("iomshare.alerts"):
            from iomshare.alerts import services as alerts

            leads = StaffMember.objects.filter(agency_id=agency_id, role=Role.IG_LEAD, is_active=True)
            alerts.notify(
                leads, message=message, link=f"/identity/runs/{run.pk}/", reason="identity_merged", by=by
            )
    HoldingAgencyNotice.objects.bulk_create(notices)
