"""Bulk intake of an agency's person records: thousands per request, checked whole, written at once.

The same checks as one record on arrival (a field that fails is kept out with a warning; a record too
bare to link waits), with the import's guarantees: a row that cannot be stored (no key, a key twice
in the batch) is reported with its row number and nothing is written; a dry run writes nothing;
sending a batch again skips the records already received. Records are not matched one by one here:
the next linking run (`iomshare link`, or "Link new records") resolves them together, in bulk.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from iomshare.errors import InvalidInput, NotPermitted
from iomshare.identity import bulk_rows
from iomshare.identity.models import EventKind, ResolutionEvent, SourceRecord
from iomshare.partnership.models import Agency, Role, StaffMember

MAX_BATCH = 10_000


@dataclass
class BatchOutcome:
    """What a batch did (or, in a dry run, would do)."""

    received: int = 0
    already_received: int = 0
    waiting: int = 0
    dry_run: bool = False
    warnings: list[dict[str, Any]] = field(default_factory=list)  # row (1-based), field, value, reason


def _row_errors(rows: list[Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    seen: dict[str, int] = {}
    for number, row in enumerate(rows, start=1):
        key = str(row.get("record_key") or "").strip() if isinstance(row, dict) else ""
        if not isinstance(row, dict):
            errors[f"records[{number}]"] = f"Row {number} is not a record"
        elif not key:
            errors[f"records[{number}].record_key"] = (
                f"Row {number}: enter the agency's own key for the record"
            )
        elif len(key) > 100 or not key.isprintable():
            errors[f"records[{number}].record_key"] = (
                f"Row {number}: the record key must be up to 100 printable characters"
            )
        elif key in seen:
            errors[f"records[{number}].record_key"] = (
                f"Row {number}: record {key} is also row {seen[key]}: send each record once"
            )
        else:
            seen[key] = number
    return errors


@transaction.atomic
def receive_batch(
    *, agency: Agency, rows: list[Any], provenance: str, by: StaffMember | None, dry_run: bool = False
) -> BatchOutcome:
    """Receive many of `agency`'s records at once; all or nothing, and idempotent by record key."""
    from iomshare.identity import services

    if by is not None and by.agency_id != agency.pk and by.role != Role.ADMIN:
        raise NotPermitted("Only the holding agency can send its own records.")
    if not isinstance(rows, list) or not rows:
        raise InvalidInput("Send at least one record.", field_errors={"records": "Send at least one record"})
    if len(rows) > MAX_BATCH:
        raise InvalidInput(
            f"Send at most {MAX_BATCH:,} records a request.",
            field_errors={"records": f"{len(rows):,} records: send at most {MAX_BATCH:,} a request"},
        )
    errors = _row_errors(rows)
    if errors:
        raise InvalidInput("No record was received: correct the rows listed.", field_errors=errors)
    keys = [str(row["record_key"]).strip() for row in rows]
    taken = set(
        SourceRecord.objects.filter(agency=agency, record_key__in=keys).values_list("record_key", flat=True)
    )
    outcome = BatchOutcome(dry_run=dry_run, already_received=len(taken))
    records = []
    schemes = services.declared_schemes(agency)
    today = timezone.localdate()
    for number, row in enumerate(rows, start=1):
        if keys[number - 1] in taken:
            continue
        submission = services.validate_submission(row, today=today, schemes=schemes)
        outcome.warnings.extend({"row": number, **warning} for warning in submission.warnings)
        outcome.waiting += bool(submission.waiting_reason)
        records.append(
            SourceRecord(
                agency=agency,
                provenance=provenance[:200],
                received_by=by,
                warnings=submission.warnings,
                waiting_reason=submission.waiting_reason,
                **submission.fields,
                **services.name_keys(submission.fields),
            )
        )
    outcome.received = len(records)
    if dry_run or not records:
        return outcome
    bulk_rows.insert(SourceRecord, records)
    if any(record.pk is None for record in records):  # backends that return no ids from bulk_create
        by_key = dict(
            SourceRecord.objects.filter(
                agency=agency, record_key__in=[r.record_key for r in records]
            ).values_list("record_key", "pk")
        )
        for record in records:
            record.pk = by_key[record.record_key]
    event = ResolutionEvent.objects.create(
        kind=EventKind.RECEIVED,
        by=by,
        summary=f"{agency.name} sent {len(records):,} records in one batch ({provenance})"[:500],
    )
    Through = ResolutionEvent.records.through
    bulk_rows.insert(
        Through, [Through(resolutionevent_id=event.pk, sourcerecord_id=record.pk) for record in records]
    )
    return outcome
