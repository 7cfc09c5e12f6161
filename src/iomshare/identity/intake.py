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

from django.db import connection, transaction
from django.utils import timezone

from iomshare import plain_sql
from iomshare.errors import InvalidInput, NotPermitted
from iomshare.identity import bulk_rows
from iomshare.identity.models import EventKind, ResolutionEvent, SourceRecord
from iomshare.partnership.models import Agency, Role, StaffMember

MAX_BATCH = 10_000
# The stored fields a submission fills (those it leaves out are blank), then those the batch gives.
_SUBMITTED = (
    "record_key",
    "given_name",
    "family_name",
    "aliases",
    "date_of_birth",
    "sex",
    "postcode",
    "address",
    "pnc",
    "cro",
    "nomis",
    "nhs_number",
    "local_id",
    "other_identifiers",
    "family_key",
    "given_key",
    "warnings",
    "waiting_reason",
)
_FROM_THE_BATCH = ("agency_id", "provenance", "received_by_id")


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


def _already_received(agency: Agency, keys: list[str]) -> set[str]:
    """Which of `keys` `agency` has sent before: one query for the batch (on PostgreSQL one
    array parameter, not ten thousand that Django would each prepare)."""
    if connection.vendor == "postgresql":
        sql = (
            f"SELECT {plain_sql.column(SourceRecord, 'record_key')} FROM {plain_sql.table(SourceRecord)} "  # noqa: S608
            f"WHERE {plain_sql.column(SourceRecord, 'agency')} = %s "
            f"AND {plain_sql.column(SourceRecord, 'record_key')} = ANY(%s)"
        )
        return {key for (key,) in plain_sql.rows(sql, [agency.pk, keys])}
    return set(
        SourceRecord.objects.filter(agency=agency, record_key__in=keys).values_list("record_key", flat=True)
    )


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
    # Batches of one agency wait for each other here, so two sending the same new key cannot both
    # find it absent and then collide on the unique key.
    list(Agency.objects.select_for_update().filter(pk=agency.pk).values_list("pk", flat=True))
    fixed = (agency.pk, provenance[:200], by.pk if by is not None else None)
    keys = [str(row["record_key"]).strip() for row in rows]
    taken = _already_received(agency, keys)
    outcome = BatchOutcome(dry_run=dry_run, already_received=len(taken))
    values = []
    schemes = services.declared_schemes(agency)
    today = timezone.localdate()
    for number, row in enumerate(rows, start=1):
        if keys[number - 1] in taken:
            continue
        submission = services.validate_submission(row, today=today, schemes=schemes)
        outcome.warnings.extend({"row": number, **warning} for warning in submission.warnings)
        outcome.waiting += bool(submission.waiting_reason)
        stored = {
            **submission.fields,
            **services.name_keys(submission.fields),
            "warnings": submission.warnings,
            "waiting_reason": submission.waiting_reason,
        }
        values.append((*(stored.get(name, "") for name in _SUBMITTED), *fixed))
    outcome.received = len(values)
    if dry_run or not values:
        return outcome
    record_ids = bulk_rows.insert_values(SourceRecord, [*_SUBMITTED, *_FROM_THE_BATCH], values)
    event = ResolutionEvent.objects.create(
        kind=EventKind.RECEIVED,
        by=by,
        summary=f"{agency.name} sent {len(record_ids):,} records in one batch ({provenance})"[:500],
    )
    bulk_rows.insert_values(
        ResolutionEvent.records.through,
        ["resolutionevent_id", "sourcerecord_id"],
        [(event.pk, record_id) for record_id in record_ids],
    )
    return outcome
