"""The protocol simulator: who would see what if a draft replaced the version in force.

For each party, role and purpose, it compares what the draft and the version in force would open (the same
Cedar compilation and grid as the real decision), assuming every condition a person can meet is met:
training in date, assurance in force, consent recorded. Item counts come from records.selectors,
which returns counts only, never content.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from iomshare.partnership.models import Agency, AssuranceLevel, Course, Role, VettingLevel
from iomshare.protocols.decisions import PartnershipFacts, compute_grid
from iomshare.protocols.models import Protocol, Purpose
from iomshare.protocols.rules import ClauseRule, ViewerFacts
from iomshare.protocols.selectors import rules_of, version_in_force
from iomshare.records import selectors as records
from iomshare.records.models import Category, Sensitivity

SIMULATED_ROLES: list[tuple[str, bool, str]] = [
    (Role.PRACTITIONER, False, "Practitioners"),
    (Role.IG_LEAD, False, "Information-governance leads"),
    (Role.PARTNERSHIP_MANAGER, False, "Partnership managers"),
    (Role.SYSTEM, False, "Agency systems"),
    (Role.VOLUNTEER, True, "Volunteers"),
]


@dataclass(frozen=True)
class Change:
    """One class of information that a recipient would gain or lose."""

    recipient: str
    role: str
    purpose: str
    holding_agency: str
    category: str
    before: str  # "Nothing", "OFFICIAL" or "OFFICIAL-SENSITIVE"
    after: str
    items_now_visible: int
    items_now_invisible: int

    @property
    def is_gain(self) -> bool:
        return self.items_now_visible > 0 or (self.after != "Nothing" and self.before == "Nothing")


@dataclass(frozen=True)
class Simulation:
    draft: Protocol
    current: Protocol | None
    changes: list[Change]


def _visible(
    rules: list[ClauseRule], facts: ViewerFacts, purposes: list[str], partnership: PartnershipFacts
) -> dict[tuple[str, int, str], int]:
    """(purpose, holding agency, category) -> highest sensitivity visible for that purpose.

    Per purpose, never the most over all purposes: a recipient declares one purpose at a time, so
    adding or removing a purpose changes what they see for it even when another purpose already
    opened the same information.
    """
    visible: dict[tuple[str, int, str], int] = {}
    consented = list(partnership.agency_names)
    for purpose in purposes:
        grid = compute_grid(facts, purpose, rules, partnership, consented_sources=consented)
        for (agency_id, category), grant in grid.grants.items():
            if not grant.is_own:
                visible[(purpose, agency_id, category)] = grant.max_sensitivity
    return visible


def simulate(draft: Protocol, *, on: dt.date | None = None) -> Simulation:
    """Per party, role and purpose, what the draft opens or closes compared with the version in force."""
    day = on or timezone.localdate()
    current = version_in_force(draft.reference)
    if current is not None and current.pk == draft.pk:
        current = None
    after_rules = rules_of(draft)
    before_rules = rules_of(current) if current else []
    agencies = {agency.pk: agency.name for agency in Agency.objects.all()}
    categories = {code: (pk, name) for pk, code, name in Category.objects.values_list("pk", "code", "name")}
    partnership = PartnershipFacts(
        agency_names=agencies,
        categories=categories,
        purpose_names=dict(Purpose.objects.values_list("code", "name")),
        agency_assurance_in_force=dict.fromkeys(agencies, int(AssuranceLevel.ACCREDITED)),
    )
    purposes = sorted({p for rule in [*after_rules, *before_rules] for p in rule.purposes})
    parties = sorted(
        {a for rule in [*after_rules, *before_rules] for a in rule.recipient_agency_ids},
        key=lambda agency_id: agencies.get(agency_id, ""),
    )
    counts = records.count_items_by_agency_category()
    labels = {0: "Nothing", **{value: label for value, label in Sensitivity.choices}}

    def items(agency_id: int, category: str, low: int, high: int) -> int:
        return sum(counts.get((agency_id, category, level), 0) for level in range(low + 1, high + 1))

    changes = []
    for party in parties:
        for role, is_volunteer, role_label in SIMULATED_ROLES:
            facts = ViewerFacts(
                staff_id=0,
                agency_id=party,
                role=role,
                is_volunteer=is_volunteer,
                day=day,
                current_courses=frozenset(Course.values),
                assurance_level=AssuranceLevel.ACCREDITED,
                assurance_expires_on=day + dt.timedelta(days=1),
                # Fully vetted, so the simulation shows what the protocol opens, not what vetting caps.
                vetting_level=VettingLevel.NPPV3_SC,
                vetting_expires_on=day + dt.timedelta(days=1),
            )
            before = _visible(before_rules, facts, purposes, partnership)
            after = _visible(after_rules, facts, purposes, partnership)
            for key in sorted(set(before) | set(after)):
                was, now = before.get(key, 0), after.get(key, 0)
                if was == now:
                    continue
                purpose, agency_id, category = key
                changes.append(
                    Change(
                        recipient=agencies[party],
                        role=role_label,
                        purpose=partnership.purpose_names.get(purpose, purpose),
                        holding_agency=agencies[agency_id],
                        category=categories[category][1],
                        before=labels[was],
                        after=labels[now],
                        items_now_visible=items(agency_id, category, was, now) if now > was else 0,
                        items_now_invisible=items(agency_id, category, now, was) if was > now else 0,
                    )
                )
    return Simulation(draft=draft, current=current, changes=changes)
