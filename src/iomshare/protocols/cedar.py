"""Protocols as Cedar policies: the schema, the compiler, the entities and the batch decision.

Each clause of an in-force protocol version becomes one `permit` whose @id names protocol, version
and clause; every permit also requires the viewer's vetting to clear the information's sensitivity. There is no `forbid`: whatever no clause permits is refused. A decision allows only when
Cedar answers Allow with no evaluation errors (invariant 9); anything else is a refusal.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import cedarpy

from iomshare.protocols.rules import ClauseRule, ViewerFacts

NAMESPACE = "Iomshare"
ACTION = "receive"
STAFF = f"{NAMESPACE}::Staff"
AGENCY = f"{NAMESPACE}::Agency"
INFORMATION = f"{NAMESPACE}::InformationClass"

# Staff receive classes of information (a holding agency's category at one sensitivity), for a
# purpose. The attributes are facts on the day of the decision: courses in date, assurance in force.
SCHEMA: dict = {
    NAMESPACE: {
        "entityTypes": {
            "Agency": {
                "shape": {"type": "Record", "attributes": {"assurance": {"type": "Long"}}},
            },
            "Staff": {
                "shape": {
                    "type": "Record",
                    "attributes": {
                        "agency": {"type": "Entity", "name": "Agency"},
                        "role": {"type": "String"},
                        "is_volunteer": {"type": "Boolean"},
                        "current_courses": {"type": "Set", "element": {"type": "String"}},
                        # The most sensitive level the viewer's vetting in force allows (rules.py).
                        "cleared_sensitivity": {"type": "Long"},
                    },
                }
            },
            "InformationClass": {
                "shape": {
                    "type": "Record",
                    "attributes": {
                        "holding_agency": {"type": "Entity", "name": "Agency"},
                        "category": {"type": "String"},
                        "sensitivity": {"type": "Long"},
                    },
                }
            },
        },
        "actions": {
            ACTION: {
                "appliesTo": {
                    "principalTypes": ["Staff"],
                    "resourceTypes": ["InformationClass"],
                    "context": {
                        "type": "Record",
                        "attributes": {
                            "purpose": {"type": "String"},
                            "consent_recorded": {"type": "Boolean"},
                        },
                    },
                }
            }
        },
    }
}

_SAFE = re.compile(r"^[A-Za-z0-9_.:\-]+$")


class PolicyCompileError(ValueError):
    """A clause holds a value that cannot be written safely into a Cedar policy."""


def _string(value: str) -> str:
    # Every value we compile is a code (slug, enum value): refuse anything else rather than escape it.
    if not _SAFE.match(value):
        raise PolicyCompileError(f"{value!r} is not a code that can appear in a sharing rule")
    return f'"{value}"'


def _strings(values: Iterable[str]) -> str:
    return "[" + ", ".join(_string(v) for v in sorted(values)) + "]"


def _agency(agency_id: int) -> str:
    return f'{AGENCY}::"{int(agency_id)}"'


def clause_policy(rule: ClauseRule) -> str:
    """The Cedar `permit` for one clause: every condition of the clause is one conjunct."""
    if not rule.purposes or not rule.categories or not rule.recipient_agency_ids:
        raise PolicyCompileError(f"{rule.policy_id} names no purpose, category or recipient")
    roles = sorted(rule.recipient_roles)
    role_test = f"{_strings(roles)}.contains(principal.role)" if roles else "false"
    if rule.volunteers_may_receive:
        who = f"(principal.is_volunteer || {role_test})"
    else:
        who = f"(!principal.is_volunteer && {role_test})"
    conditions = [
        f"resource.holding_agency == {_agency(rule.sharing_agency_id)}",
        f"{_strings(rule.categories)}.contains(resource.category)",
        f"resource.sensitivity <= {int(rule.max_sensitivity)}",
        "resource.sensitivity <= principal.cleared_sensitivity",
        f"{_strings(rule.purposes)}.contains(context.purpose)",
        "["
        + ", ".join(_agency(a) for a in sorted(rule.recipient_agency_ids))
        + "].contains(principal.agency)",
        who,
    ]
    if rule.required_courses:
        conditions.append(f"principal.current_courses.containsAll({_strings(rule.required_courses)})")
    conditions.append(f"principal.agency.assurance >= {int(rule.minimum_assurance)}")
    if rule.consent_needed:
        conditions.append("context.consent_recorded")
    body = " &&\n  ".join(conditions)
    return (
        f"@id({_string(rule.policy_id)})\n"
        f"permit (\n  principal is {STAFF},\n  action == {NAMESPACE}::Action::{_string(ACTION)},\n"
        f"  resource is {INFORMATION}\n) when {{\n  {body}\n}};\n"
    )


def compile_rules(rules: Iterable[ClauseRule]) -> str:
    """The policy set text for `rules`, in a stable order (so equal rules give equal text)."""
    return "\n".join(clause_policy(rule) for rule in sorted(rules, key=lambda r: r.policy_id))


@lru_cache(maxsize=1)
def schema() -> cedarpy.Schema:
    return cedarpy.Schema.from_json_str(json.dumps(SCHEMA))


def schema_errors(policies: str) -> list[str]:
    """Why `policies` do not validate against the schema (empty when they do)."""
    if not policies.strip():
        return []
    try:
        result = cedarpy.validate_policies(policies, schema())
    except Exception as error:  # a parse error comes back as an exception
        return [str(error)]
    return [] if result.validation_passed else [str(e) for e in result.errors]


@lru_cache(maxsize=64)
def policy_set(policies: str) -> cedarpy.PolicySet:
    """The parsed policy set; keyed on the text itself, so it can never outlive a change of rules."""
    return cedarpy.PolicySet.from_str(policies)


def information_uid(agency_id: int, category: str, sensitivity: int) -> dict:
    return {"type": INFORMATION, "id": f"{int(agency_id)}:{category}:{int(sensitivity)}"}


def build_entities(
    facts: ViewerFacts, agency_assurance: dict[int, int], classes: Iterable[tuple[int, str, int]]
) -> list[dict]:
    """The entities for one viewer's decisions: the viewer, agencies, and the information classes.

    `agency_assurance` gives each agency's assurance in force on the decision day (the viewer's own
    agency must be present); `classes` lists (holding agency id, category code, sensitivity).
    """
    entities: list[dict] = [
        {
            "uid": {"type": AGENCY, "id": str(int(agency_id))},
            "attrs": {"assurance": int(level)},
            "parents": [],
        }
        for agency_id, level in sorted(agency_assurance.items())
    ]
    entities.append(
        {
            "uid": {"type": STAFF, "id": str(facts.staff_id)},
            "attrs": {
                "agency": {"__entity": {"type": AGENCY, "id": str(facts.agency_id)}},
                "role": str(facts.role),
                "is_volunteer": bool(facts.is_volunteer),
                "current_courses": sorted(str(c) for c in facts.current_courses),
                "cleared_sensitivity": int(facts.cleared_sensitivity),
            },
            "parents": [],
        }
    )
    for agency_id, category, sensitivity in classes:
        entities.append(
            {
                "uid": information_uid(agency_id, category, sensitivity),
                "attrs": {
                    "holding_agency": {"__entity": {"type": AGENCY, "id": str(int(agency_id))}},
                    "category": category,
                    "sensitivity": int(sensitivity),
                },
                "parents": [],
            }
        )
    return entities


@dataclass(frozen=True)
class Answer:
    """Cedar's answer to one request, reduced to what the decision may rely on."""

    allowed: bool
    policy_ids: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()


def decide_batch(
    policies: str,
    entities: list[dict],
    facts: ViewerFacts,
    requests: Sequence[tuple[int, str, int, bool]],
    purpose: str,
) -> list[Answer]:
    """Ask Cedar, in one batch, whether the viewer may receive each (agency, category, sensitivity).

    Each request also says whether consent is recorded. Allowed only on Allow without errors; if
    Cedar cannot answer at all (bad policies or entities), every request is refused with the error.
    """
    if not requests:
        return []
    if not policies.strip():
        return [Answer(allowed=False) for _ in requests]
    batch = [
        {
            "principal": {"type": STAFF, "id": str(facts.staff_id)},
            "action": {"type": f"{NAMESPACE}::Action", "id": ACTION},
            "resource": information_uid(agency_id, category, sensitivity),
            "context": {"purpose": purpose, "consent_recorded": bool(consent)},
        }
        for agency_id, category, sensitivity, consent in requests
    ]
    try:
        results = cedarpy.is_authorized_batch(batch, policy_set(policies), entities, schema())
    except Exception as error:  # fail closed: no answer is a refusal
        return [Answer(allowed=False, errors=(f"Cedar could not decide: {error}",)) for _ in requests]
    if len(results) != len(requests):
        return [Answer(allowed=False, errors=("Cedar answered a different number of requests",))] * len(
            requests
        )
    answers = []
    for result in results:
        diagnostics = result.diagnostics
        errors = tuple(str(e) for e in diagnostics.errors)
        by_reason = diagnostics.id_annotations_by_reason or {}
        ids = tuple(sorted(by_reason.get(reason, reason) for reason in diagnostics.reasons))
        allowed = result.decision == cedarpy.Decision.Allow and not errors and bool(ids)
        answers.append(Answer(allowed=allowed, policy_ids=ids, errors=errors))
    return answers
