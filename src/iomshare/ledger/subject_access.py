"""The subject access pack: everything the partnership holds about one person, and who saw it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from iomshare.ledger import selectors
from iomshare.ledger.hashing import timestamp
from iomshare.ledger.models import LedgerEntry
from iomshare.partnership.models import StaffMember
from iomshare.people.models import Person
from iomshare.records import selectors as records


@dataclass(frozen=True)
class SubjectAccessPack:
    person: Person
    held: records.SubjectAccessItems
    disclosures: list[LedgerEntry]
    generated_at: dt.datetime
    generated_by: StaffMember

    @property
    def review_count(self) -> int:
        return len(self.held.review_ids)


def compile_pack(person: Person, *, by: StaffMember) -> SubjectAccessPack:
    """Compile the pack (IG leads only: records.selectors checks, and records the read)."""
    held = records.subject_access_items(person, by=by)
    return SubjectAccessPack(
        person=person,
        held=held,
        disclosures=selectors.disclosure_history(person.pk),
        generated_at=timezone.now(),
        generated_by=by,
    )


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def pack_as_json(pack: SubjectAccessPack) -> dict[str, Any]:
    person = pack.person
    return {
        "generated_at": timestamp(pack.generated_at),
        "generated_by": pack.generated_by.get_username(),
        "person": {
            "id": str(person.pk),
            "given_name": person.given_name,
            "family_name": person.family_name,
            "date_of_birth": _date(person.date_of_birth),
            "identifiers": [
                {"scheme": i.scheme, "value": i.value, "agency": i.agency.code}
                for i in person.identifiers.select_related("agency")
            ],
        },
        "items": [
            {
                "id": str(item.pk),
                "holding_agency": item.holding_agency.code,
                "category": item.category.code,
                "sensitivity": item.get_sensitivity_display(),
                "summary": item.summary,
                "details": item.details,
                "payload": item.payload,
                "recorded_at": timestamp(item.recorded_at),
                "valid_from": _date(item.valid_from),
                "valid_to": _date(item.valid_to),
                "review_by": _date(item.review_by),
                "status": item.status,
                "review_for_exemption": pack.held.needs_review(item),
                "corrections": [
                    {"at": timestamp(c.at), "kind": c.kind, "reason": c.reason}
                    for c in item.corrections.all()
                ],
            }
            for item in pack.held.items
        ],
        "disclosures": [
            {
                "at": timestamp(entry.at),
                "recipient": entry.actor_username,
                "recipient_agency": entry.actor_agency,
                "action": entry.action,
                "purpose": entry.purpose,
                "clauses": entry.clauses,
                "item_ids": entry.item_ids,
                "channel": entry.channel,
                "outcome": entry.outcome,
            }
            for entry in pack.disclosures
        ],
    }
