"""What a draft changes against the version in force, in plain words.

"Clause 3: recipients now include Northshire Council." Both versions are compared as YAML documents
(yaml_format.protocol_data), field by field, with every code turned into the name a person reads.
Clauses are compared by number: a clause removed from the middle shows as changes to the clauses
after it, as it would in the document the parties sign.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from iomshare.partnership.models import Agency, AssuranceLevel, Course, Role
from iomshare.protocols import yaml_format
from iomshare.protocols.models import AGREEMENT_ELEMENTS, LegalGateway, Protocol, Purpose
from iomshare.records.models import Category


@dataclass(frozen=True)
class Difference:
    """One change: where it is ("The protocol", "Clause 3") and what changed, as a sentence."""

    where: str
    text: str


class _Names:
    """Codes to the names people read, loaded once per comparison."""

    def __init__(self) -> None:
        self.of = {
            "agency": dict(Agency.objects.values_list("code", "name")),
            "purpose": dict(Purpose.objects.values_list("code", "name")),
            "gateway": dict(LegalGateway.objects.values_list("code", "title")),
            "category": {code: name.lower() for code, name in Category.objects.values_list("code", "name")},
            "role": {value: label.lower() for value, label in Role.choices},
            "course": dict(Course.choices),
            "assurance": {
                name: AssuranceLevel(value).label for name, value in yaml_format.ASSURANCE_NAMES.items()
            },
        }

    def __call__(self, kind: str, codes: list[str]) -> str:
        names = [self.of[kind].get(code, code) for code in codes]
        if not names:
            return "nothing"
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def code_names() -> dict[str, str]:
    """Every code of the partnership's reference lists, to its name (agencies, purposes, ...)."""
    names = _Names()
    return {code: name for kind in names.of.values() for code, name in kind.items()}


# (key, what it is called, kind of code) for the lists of codes compared as sets.
_PROTOCOL_LISTS = [
    ("parties", "parties", "agency"),
    ("purposes", "purposes", "purpose"),
    ("legal_gateways", "legal gateways", "gateway"),
]
_CLAUSE_LISTS = [
    ("categories", "categories", "category"),
    ("recipients", "recipients", "agency"),
    ("recipient_roles", "roles that receive", "role"),
    ("training", "training required", "course"),
]
_PROTOCOL_TEXTS = [("title", "title"), ("summary", "summary")]
_AGREEMENT = {name: heading for name, heading, _ in AGREEMENT_ELEMENTS}


def _set_changes(label: str, before: list[str], after: list[str], kind: str, names: _Names) -> list[str]:
    added = [code for code in after if code not in before]
    removed = [code for code in before if code not in after]
    lines = []
    if added:
        lines.append(f"{label} now include {names(kind, added)}")
    if removed:
        lines.append(f"{label} no longer include {names(kind, removed)}")
    return [line[0].upper() + line[1:] for line in lines]


def _protocol_changes(before: dict[str, Any], after: dict[str, Any], names: _Names) -> list[str]:
    lines = []
    for key, label in _PROTOCOL_TEXTS:
        if before.get(key) != after.get(key):
            lines.append(f"The {label} now reads: ‘{after.get(key, '')}’")
    if before.get("owner") != after.get("owner"):
        lines.append(f"The owner is now {names('agency', [after['owner']])}")
    for key, label, kind in _PROTOCOL_LISTS:
        lines += _set_changes(label, before.get(key, []), after.get(key, []), kind, names)
    if before.get("retention_days") != after.get("retention_days"):
        lines.append(
            f"Shared copies may now be kept for {after.get('retention_days')} days "
            f"(was {before.get('retention_days')})"
        )
    for key, label in (("review_on", "review date"), ("ends_on", "end date")):
        if before.get(key) != after.get(key):
            day = after.get(key)
            lines.append(f"The {label} is now {day:%-d %B %Y}" if day else f"There is no {label} any more")
    agreement_before, agreement_after = before.get("agreement", {}), after.get("agreement", {})
    for name, heading in _AGREEMENT.items():
        if agreement_before.get(name, "") != agreement_after.get(name, ""):
            lines.append(f"The agreement's ‘{heading}’ now reads: ‘{agreement_after.get(name, '')}’")
    return lines


def _yes_no(value: bool, yes: str, no: str) -> str:
    return yes if value else no


def _clause_changes(before: dict[str, Any], after: dict[str, Any], names: _Names) -> list[str]:  # noqa: C901 (one comparison per field of a clause)
    lines = []
    if before["shared_by"] != after["shared_by"]:
        lines.append(f"Now shared by {names('agency', [after['shared_by']])}")
    flat_before = {**before, **before.get("conditions", {})}
    flat_after = {**after, **after.get("conditions", {})}
    for key, label, kind in _CLAUSE_LISTS:
        lines += _set_changes(label, flat_before.get(key, []), flat_after.get(key, []), kind, names)
    if before.get("recipients") and not after.get("recipients"):
        lines.append("Every other party now receives")
    if before["max_sensitivity"] != after["max_sensitivity"]:
        lines.append(f"Shared up to {after['max_sensitivity']} now (was {before['max_sensitivity']})")
    flags = [
        (
            "volunteers_may_receive",
            "Trained volunteers may now receive it",
            "Volunteers no longer receive it",
        ),
        (
            "consent_needed",
            "Now shared only with the person's consent",
            "No longer needs the person's consent",
        ),
        (
            "may_disclose_existence",
            "Recipients are now told when more exists than they can see",
            "Recipients are no longer told that withheld information exists",
        ),
    ]
    for key, yes, no in flags:
        if bool(flat_before.get(key)) != bool(flat_after.get(key)):
            lines.append(_yes_no(bool(flat_after.get(key)), yes, no))
    if flat_before.get("minimum_assurance") != flat_after.get("minimum_assurance"):
        level = names.of["assurance"].get(flat_after.get("minimum_assurance") or "", "")
        lines.append(f"Recipients' agencies must now hold {level} assurance or higher")
    removed_fields = [f for f in after.get("redact", []) if f not in before.get("redact", [])]
    kept_fields = [f for f in before.get("redact", []) if f not in after.get("redact", [])]
    if removed_fields:
        lines.append("Now removed before sharing: " + ", ".join(_field_name(f) for f in removed_fields))
    if kept_fields:
        lines.append("No longer removed before sharing: " + ", ".join(_field_name(f) for f in kept_fields))
    if before.get("explanation", "") != after.get("explanation", ""):
        lines.append(f"The explanation now reads: ‘{after.get('explanation', '')}’")
    return lines


def _field_name(field: str) -> str:
    return field.replace(".", ": ").replace("_", " ")


def differences(current: Protocol | None, draft: Protocol) -> list[Difference]:
    """Every change `draft` makes to `current` (the version in force), protocol first, then clauses."""
    names = _Names()
    after = yaml_format.protocol_data(draft)
    if current is None:
        return [Difference("The protocol", "No version is in force: every clause of this draft is new")]
    before = yaml_format.protocol_data(current)
    result = [Difference("The protocol", line) for line in _protocol_changes(before, after, names)]
    clauses_before, clauses_after = before["clauses"], after["clauses"]
    for number in range(1, max(len(clauses_before), len(clauses_after)) + 1):
        where = f"Clause {number}"
        if number > len(clauses_before):
            clause = clauses_after[number - 1]
            result.append(Difference(where, f"New: {_clause_sentence(clause, names)}"))
        elif number > len(clauses_after):
            clause = clauses_before[number - 1]
            result.append(Difference(where, f"Removed: {_clause_sentence(clause, names)}"))
        else:
            for line in _clause_changes(clauses_before[number - 1], clauses_after[number - 1], names):
                result.append(Difference(where, line))
    return result


def _clause_sentence(clause: dict[str, Any], names: _Names) -> str:
    roles = list(clause.get("recipient_roles", []))
    who = names("role", roles) if roles else "nobody on staff"
    if clause.get("conditions", {}).get("volunteers_may_receive"):
        who += " and trained volunteers"
    recipients = clause.get("recipients")
    at = names("agency", recipients) if recipients else "every other party"
    return (
        f"{names('agency', [clause['shared_by']])} shares {names('category', clause['categories'])} "
        f"(up to {clause['max_sensitivity']}) with {who} at {at}"
    )
