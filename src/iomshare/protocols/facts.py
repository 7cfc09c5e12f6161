"""The facts a sharing decision rests on, read fresh for every decision in a few plain queries.

The decision runs on every read of a person (the API's full picture among them), so these reads are
plain SQL (iomshare.plain_sql). They read reference lists, levels and dates, never item content.
"""

from __future__ import annotations

from iomshare import plain_sql as sql
from iomshare.partnership.models import Agency, TrainingRecord
from iomshare.protocols.models import Protocol, ProtocolStatus, Purpose
from iomshare.records.models import Category


def purpose_names() -> dict[str, str]:
    """Code -> name of every purpose."""
    return dict(sql.select(Purpose, ("code", "name")))


def category_ids_and_names() -> dict[str, tuple[int, str]]:
    """Code -> (id, name) of every category of information."""
    return {code: (pk, name) for pk, code, name in sql.select(Category, ("id", "code", "name"))}


def agencies() -> list[Agency]:
    """Every agency with its name and security assurance (unsaved copies: facts, not for editing)."""
    return [
        Agency(id=pk, name=name, assurance_level=level, assurance_expires_on=sql.as_date(expires))
        for pk, name, level, expires in sql.select(
            Agency, ("id", "name", "assurance_level", "assurance_expires_on")
        )
    ]


def training_of(staff_id: int) -> list[TrainingRecord]:
    """Every training record of one member of staff (unsaved copies)."""
    return [
        TrainingRecord(
            course=course,
            completed_on=sql.as_required_date(completed),
            expires_on=sql.as_required_date(expires),
        )
        for course, completed, expires in sql.select(
            TrainingRecord, ("course", "completed_on", "expires_on"), {"staff_member": staff_id}
        )
    ]


def active_protocol_versions() -> tuple[tuple, ...]:
    """(id, status changed at, end date) of every active protocol version, in id order: a change to
    any of them (a suspension, a new version, an end date) changes this."""
    rows = sql.select(Protocol, ("id", "status_changed_at", "ends_on"), {"status": ProtocolStatus.ACTIVE})
    return tuple(sorted((pk, str(changed), str(ends_on)) for pk, changed, ends_on in rows))
