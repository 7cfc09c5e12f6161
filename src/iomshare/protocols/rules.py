"""The plain, database-free form of what the sharing decision works on.

Clauses of in-force protocols become `ClauseRule`s and a viewer becomes `ViewerFacts` on one day;
cedar.py compiles the rules and builds entities from the facts, and decisions.py explains refusals
from the same values. Keeping them plain lets tests generate thousands of partnerships cheaply.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from iomshare.partnership.models import (
    Agency,
    AssuranceLevel,
    Role,
    StaffMember,
    TrainingRecord,
    VettingLevel,
)
from iomshare.records.models import Sensitivity

# The least vetting in force that each sensitivity needs: the one place this is decided. It caps
# every viewer, own agency's items included; agency system accounts are not people and are not vetted
# (what they pull is governed by the clauses that name the `system` role and by agency assurance).
VETTING_NEEDED: dict[int, int] = {
    Sensitivity.OFFICIAL: VettingLevel.NONE,
    Sensitivity.OFFICIAL_SENSITIVE: VettingLevel.NPPV2,
}


def cleared_sensitivity(vetting_in_force: int, *, role: str) -> int:
    """The most sensitive level a viewer with this vetting may receive (0: nothing at all)."""
    if role == Role.SYSTEM:
        return max(VETTING_NEEDED)
    return max((level for level, needed in VETTING_NEEDED.items() if vetting_in_force >= needed), default=0)


@dataclass(frozen=True)
class ClauseRule:
    """One clause of an in-force protocol version, as the decision needs it."""

    policy_id: str
    protocol_id: int
    protocol_title: str
    purposes: frozenset[str]
    sharing_agency_id: int
    recipient_agency_ids: frozenset[int]
    categories: frozenset[str]
    max_sensitivity: int
    recipient_roles: frozenset[str]
    volunteers_may_receive: bool
    required_courses: tuple[str, ...]
    minimum_assurance: int
    consent_needed: bool
    may_disclose_existence: bool
    redacted_fields: tuple[str, ...] = ()
    retention_days: int | None = None

    def reaches(self, role: str, *, is_volunteer: bool) -> bool:
        """Whether the clause shares with this role (volunteers are named apart from staff roles)."""
        return self.volunteers_may_receive if is_volunteer else role in self.recipient_roles

    def covers(
        self, *, purpose: str, holding_agency_id: int, category: str, recipient_agency_id: int
    ) -> bool:
        """Whether this clause is about this purpose, source, category and recipient agency at all."""
        return (
            purpose in self.purposes
            and holding_agency_id == self.sharing_agency_id
            and category in self.categories
            and recipient_agency_id in self.recipient_agency_ids
        )

    def redactions_for(self, category: str) -> tuple[str, ...]:
        """Payload field names of `category` that recipients must not see under this clause."""
        prefix = f"{category}."
        return tuple(sorted(f.removeprefix(prefix) for f in self.redacted_fields if f.startswith(prefix)))


@dataclass(frozen=True)
class ViewerFacts:
    """What the conditions of a clause look at, about one viewer on one day."""

    staff_id: int
    agency_id: int
    role: str
    is_volunteer: bool
    day: dt.date
    current_courses: frozenset[str] = frozenset()
    # For courses not current: the day the latest record expired (absent: never completed).
    lapsed_courses: Mapping[str, dt.date] = field(default_factory=dict)
    assurance_level: int = AssuranceLevel.NONE
    assurance_expires_on: dt.date | None = None
    vetting_level: int = VettingLevel.NONE
    vetting_expires_on: dt.date | None = None

    @property
    def vetting_in_force(self) -> int:
        """The viewer's vetting today: expired vetting counts as none (see StaffMember.vetting_on)."""
        if self.vetting_expires_on is None or self.vetting_expires_on < self.day:
            return VettingLevel.NONE
        return self.vetting_level

    @property
    def vetting_has_expired(self) -> bool:
        return self.vetting_expires_on is not None and self.vetting_expires_on < self.day

    @property
    def cleared_sensitivity(self) -> int:
        """The most sensitive information this viewer's vetting lets them receive, from any agency."""
        return cleared_sensitivity(self.vetting_in_force, role=self.role)

    @property
    def assurance_in_force(self) -> int:
        """The agency's assurance today: expired assurance counts as none (see Agency.assurance_on)."""
        if self.assurance_expires_on is None or self.assurance_expires_on < self.day:
            return AssuranceLevel.NONE
        return self.assurance_level

    @classmethod
    def of(
        cls,
        viewer: StaffMember,
        day: dt.date,
        training: Iterable[TrainingRecord] | None = None,
        agency: Agency | None = None,
    ) -> ViewerFacts:
        """Facts about `viewer` on `day`, read fresh each time: an expiry closes access at once.

        `training` and `agency` (the viewer's records and agency) are read here unless given.
        """
        agency = agency or viewer.agency
        assert agency is not None and viewer.agency_id is not None  # callers refuse a member of no agency
        records = list(viewer.training.order_by() if training is None else training)
        current = frozenset(r.course for r in records if r.completed_on <= day <= r.expires_on)
        lapsed: dict[str, dt.date] = {}
        for record in records:
            if record.course not in current and record.expires_on < day:
                lapsed[record.course] = max(record.expires_on, lapsed.get(record.course, record.expires_on))
        return cls(
            staff_id=viewer.pk,
            agency_id=viewer.agency_id,
            role=viewer.role,
            is_volunteer=viewer.counts_as_volunteer,
            day=day,
            current_courses=current,
            lapsed_courses=lapsed,
            assurance_level=agency.assurance_level,
            assurance_expires_on=agency.assurance_expires_on,
            vetting_level=viewer.vetting_level,
            vetting_expires_on=viewer.vetting_expires_on,
        )
