"""Protocols in plain words, for the page a practitioner reads in five minutes.

"Northshire Police shares offending history (up to OFFICIAL-SENSITIVE) with practitioners at
Probation Service – Northshire, for risk management. Recipients must have Information sharing in
IOM in date." One sentence per clause, built from the same values the sharing decision enforces.
"""

from __future__ import annotations

from dataclasses import dataclass

from iomshare.partnership.models import AssuranceLevel, Course, Role
from iomshare.protocols.models import Clause, Protocol
from iomshare.records.models import Sensitivity


def _join(items: list[str]) -> str:
    items = [i for i in items if i]
    if not items:
        return ""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


_ROLE_PLURALS = {
    Role.PRACTITIONER: "practitioners",
    Role.IG_LEAD: "information-governance leads",
    Role.PARTNERSHIP_MANAGER: "partnership managers",
    Role.SYSTEM: "agency systems",
}


@dataclass(frozen=True)
class ReadableClause:
    clause: Clause
    sentence: str
    conditions: list[str]
    redactions: list[str]


def describe_clause(clause: Clause, protocol: Protocol) -> ReadableClause:
    """The clause as a sentence, its conditions as a list, and what is removed before sharing."""
    parties = list(protocol.parties.all())
    named = list(clause.recipient_agencies.all())
    recipients = [a for a in (named or parties) if a.pk != clause.sharing_agency_id]
    categories = _join(sorted(c.name.lower() for c in clause.categories.all()))
    who = [_ROLE_PLURALS.get(Role(r), r) for r in clause.recipient_roles if r in Role.values]
    if clause.volunteers_may_receive:
        who.append("trained volunteers")
    purposes = _join([p.name.lower() for p in protocol.purposes.all()])
    level = Sensitivity(clause.max_sensitivity).label
    sentence = (
        f"{clause.sharing_agency.name} shares {categories} (up to {level}) with {_join(who)} at "
        f"{_join([a.name for a in recipients])}, for {purposes}."
    )
    conditions = []
    if clause.required_courses:
        courses = _join([f"‘{Course(c).label}’" for c in clause.required_courses if c in Course.values])
        conditions.append(f"Recipients must have completed {courses}, in date.")
    conditions.append(
        "Volunteers may receive it (with the training above in date)."
        if clause.volunteers_may_receive
        else "Volunteers do not receive it."
    )
    conditions.append(
        f"The recipient's agency must hold {AssuranceLevel(clause.minimum_assurance).label} assurance or "
        "higher, not expired."
    )
    if clause.consent_needed:
        conditions.append(
            "Shared only once the person's consent is recorded, and never after it is withdrawn."
        )
    conditions.append(
        "Recipients are told when more exists than they can see, so they can ask for it."
        if clause.may_disclose_existence
        else "Recipients are not told that withheld information exists."
    )
    redactions = [field.replace(".", ": ").replace("_", " ") for field in clause.redacted_fields]
    return ReadableClause(clause=clause, sentence=sentence, conditions=conditions, redactions=redactions)


def describe(protocol: Protocol) -> list[ReadableClause]:
    return [describe_clause(clause, protocol) for clause in protocol.clauses.all()]
