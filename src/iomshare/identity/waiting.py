"""The "cannot match yet" queue: records too bare to link, kept (never dropped) until someone completes them.

A waiting record names a person, so only its holding agency's staff and information-governance
leads may see it; only the holding agency (the controller) may complete it.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from iomshare.errors import InvalidInput, NotFound, NotPermitted
from iomshare.identity.models import EventKind, SourceRecord
from iomshare.partnership.models import Role, StaffMember

COMPLETABLE_FIELDS = ("given_name", "family_name", "date_of_birth", "postcode")


def may_see(record: SourceRecord, viewer: StaffMember) -> bool:
    """Staff of the holding agency (volunteers excepted) and information-governance leads."""
    if viewer.role == Role.IG_LEAD:
        return True
    return viewer.agency_id == record.agency_id and not viewer.is_volunteer and viewer.role != Role.VOLUNTEER


def may_complete(record: SourceRecord, viewer: StaffMember) -> bool:
    """The holding agency stays the controller: only its own staff add to its record."""
    return viewer.agency_id == record.agency_id and may_see(record, viewer)


def waiting_records(viewer: StaffMember) -> QuerySet[SourceRecord]:
    """The waiting records `viewer` may see: all of them for an IG lead, else their own agency's."""
    records = (
        SourceRecord.objects.filter(person__isnull=True).exclude(waiting_reason="").select_related("agency")
    )
    if viewer.role == Role.IG_LEAD:
        return records.order_by("received_at", "pk")
    if viewer.agency_id is None or viewer.counts_as_volunteer:
        return records.none()
    return records.filter(agency_id=viewer.agency_id).order_by("received_at", "pk")


def waiting_record(record_id: int, *, viewer: StaffMember) -> SourceRecord:
    """One waiting record; NotFound (not "forbidden") when the viewer may not know it exists."""
    record = waiting_records(viewer).filter(pk=record_id).first()
    if record is None:
        raise NotFound("There is no record waiting with that number that you can see.")
    return record


@transaction.atomic
def complete_record(record: SourceRecord, changes: dict[str, Any], *, by: StaffMember) -> Any:
    """Add what a waiting record lacked; once it can be matched it is matched at once, as on arrival.

    Every value given is checked as on arrival; a value that fails is an error here (the person
    completing the record is there to correct it), and nothing changes.
    """
    from iomshare.identity import services

    if not may_complete(record, by):
        raise NotPermitted("Only the holding agency's staff can complete its record.")
    record = SourceRecord.objects.select_for_update().get(pk=record.pk)
    if not record.waiting_reason:
        raise InvalidInput("This record is no longer waiting: it has already been completed.")
    current = {
        "record_key": record.record_key,
        "given_name": record.given_name,
        "family_name": record.family_name,
        "date_of_birth": record.date_of_birth.isoformat() if record.date_of_birth else "",
        "postcode": record.postcode,
    }
    given = {
        field: str(changes.get(field) or "").strip() for field in COMPLETABLE_FIELDS if changes.get(field)
    }
    submission = services.validate_submission({**current, **given}, agency=record.agency)
    errors = {w["field"]: w["reason"] for w in submission.warnings if w["field"] in given}
    if not errors and submission.waiting_reason:
        missing = [
            (field, f"Enter the {label}")
            for field, label in (("family_name", "last name"), ("date_of_birth", "date of birth"))
            if not submission.fields[field]
        ]
        errors = dict(missing)
    if errors:
        raise InvalidInput("The record was not completed: correct the problems listed.", field_errors=errors)
    for field in COMPLETABLE_FIELDS:
        setattr(record, field, submission.fields[field])
    record.waiting_reason = ""
    record.warnings = [w for w in record.warnings if w["field"] not in given]
    record.family_key = services.name_keys(submission.fields)["family_key"]
    record.given_key = services.name_keys(submission.fields)["given_key"]
    record.save()
    services._event(
        EventKind.COMPLETED,
        by=by,
        records=[record],
        summary=f"{by.get_full_name() or by.get_username()} completed {record.agency.name} record {record.record_key}",
    )
    services._ledger(
        "ADMIN_CHANGE", by=by, person=None, details={"completed_record": record.pk, "fields": sorted(given)}
    )
    return services._match_arrival(record, by=by)
