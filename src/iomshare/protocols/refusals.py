"""Why the sharing decision withholds a class of information, in words a person can act on.

The decision (protocols.decisions) finds what Cedar refuses; this module finds, in Python, the first
condition that stops the nearest clause applying and says what the viewer can do about it.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from iomshare.partnership.models import AssuranceLevel, Course, Role, VettingLevel
from iomshare.protocols.rules import VETTING_NEEDED, ClauseRule, ViewerFacts, cleared_sensitivity
from iomshare.records.models import Sensitivity


class RefusalReason(enum.StrEnum):
    """Why a class of information is withheld, most fundamental first (the order of the checks)."""

    NO_PROTOCOL = "no_protocol"
    ROLE_NOT_RECIPIENT = "role_not_recipient"
    VOLUNTEERS_NOT_COVERED = "volunteers_not_covered"
    TRAINING_NOT_CURRENT = "training_not_current"
    VETTING_EXPIRED = "vetting_expired"
    VETTING_TOO_LOW = "vetting_too_low"
    ASSURANCE_EXPIRED = "assurance_expired"
    ASSURANCE_BELOW_MINIMUM = "assurance_below_minimum"
    TOO_SENSITIVE = "too_sensitive"
    CONSENT_NOT_RECORDED = "consent_not_recorded"
    DECISION_ERROR = "decision_error"


# The checks of one clause, in the order a person should deal with them.
CHECK_ORDER = [
    RefusalReason.ROLE_NOT_RECIPIENT,
    RefusalReason.VOLUNTEERS_NOT_COVERED,
    RefusalReason.TRAINING_NOT_CURRENT,
    RefusalReason.VETTING_EXPIRED,
    RefusalReason.VETTING_TOO_LOW,
    RefusalReason.ASSURANCE_EXPIRED,
    RefusalReason.ASSURANCE_BELOW_MINIMUM,
    RefusalReason.CONSENT_NOT_RECORDED,
]


@dataclass(frozen=True)
class Refusal:
    """Items of this category held by this agency, at `from_sensitivity` or above, are withheld."""

    holding_agency_id: int
    category_code: str
    category_id: int
    from_sensitivity: int
    reason: str  # a RefusalReason value
    message: str  # what the viewer can do about it
    clause_id: str | None  # the clause that came nearest to allowing it
    may_disclose_existence: bool


@dataclass(frozen=True)
class PartnershipFacts:
    """Names and codes the grid is computed over, read once per decision."""

    agency_names: Mapping[int, str]
    categories: Mapping[str, tuple[int, str]]  # code -> (id, name)
    purpose_names: Mapping[str, str]
    agency_assurance_in_force: Mapping[int, int]


@dataclass(frozen=True)
class _Withheld:
    """One class of information being explained: whose, what, how sensitive, and the names to use."""

    agency_id: int
    category: str
    category_id: int
    level: int
    holder: str
    category_name: str
    purpose_name: str
    own_name: str


class Explainer:
    """Finds the first condition that stops a clause applying, and says it plainly."""

    def __init__(self, facts: ViewerFacts, purpose: str, partnership: PartnershipFacts, *, covered: bool):
        self.facts = facts
        self.purpose = purpose
        self.partnership = partnership
        self.covered = covered

    def own_agency(self, category: str, category_id: int, level: int) -> Refusal:
        """Own items above the viewer's vetting: withheld, and the viewer is told why."""
        reason = self._vetting_failure(level) or RefusalReason.VETTING_TOO_LOW
        category_name = self.partnership.categories[category][1].lower()
        return Refusal(
            holding_agency_id=self.facts.agency_id,
            category_code=category,
            category_id=category_id,
            from_sensitivity=level,
            reason=reason,
            message=f"Your agency's {category_name} marked {Sensitivity(level).label} is withheld because "
            + self._vetting_message(reason, level),
            clause_id=None,
            may_disclose_existence=True,
        )

    def __call__(
        self,
        agency_id: int,
        category: str,
        category_id: int,
        level: int,
        rules: list[ClauseRule],
        *,
        consent: bool,
        errors: tuple[str, ...],
    ) -> Refusal:
        withheld = _Withheld(
            agency_id=agency_id,
            category=category,
            category_id=category_id,
            level=level,
            holder=self.partnership.agency_names[agency_id],
            category_name=self.partnership.categories[category][1].lower(),
            purpose_name=self.partnership.purpose_names.get(self.purpose, self.purpose).lower(),
            own_name=self.partnership.agency_names.get(self.facts.agency_id, "your agency"),
        )
        if not rules:
            return self._no_protocol(withheld)
        eligible = [rule for rule in rules if rule.max_sensitivity >= level]
        if not eligible:
            return self._too_sensitive(withheld, rules)
        # The clause that came nearest: fewest failing checks, then the latest first failure.
        failures_of = {rule.policy_id: self._failures(rule, consent, level) for rule in eligible}
        rule = min(
            eligible,
            key=lambda r: (
                len(failures_of[r.policy_id]),
                -min((CHECK_ORDER.index(f) for f in failures_of[r.policy_id]), default=len(CHECK_ORDER)),
                r.policy_id,
            ),
        )
        failures = failures_of[rule.policy_id]
        reason = failures[0] if failures else RefusalReason.DECISION_ERROR
        message = self._MESSAGES[reason](
            self, withheld, rule, f"{rule.protocol_title} ({_clause_label(rule.policy_id)})"
        )
        return _refusal(withheld, reason, message, rule)

    # -- the checks --------------------------------------------------------------------------------

    def _failures(self, rule: ClauseRule, consent: bool, level: int) -> list[RefusalReason]:
        """The failing checks of `rule`, in the order a person should deal with them."""
        facts = self.facts
        failing: list[RefusalReason] = []
        if not rule.reaches(facts.role, is_volunteer=facts.is_volunteer):
            failing.append(
                RefusalReason.VOLUNTEERS_NOT_COVERED
                if facts.is_volunteer
                else RefusalReason.ROLE_NOT_RECIPIENT
            )
        if not set(rule.required_courses) <= facts.current_courses:
            failing.append(RefusalReason.TRAINING_NOT_CURRENT)
        vetting = self._vetting_failure(level)
        if vetting:
            failing.append(vetting)
        if facts.assurance_in_force < rule.minimum_assurance:
            expired = facts.assurance_expires_on is not None and facts.assurance_expires_on < facts.day
            failing.append(
                RefusalReason.ASSURANCE_EXPIRED if expired else RefusalReason.ASSURANCE_BELOW_MINIMUM
            )
        if rule.consent_needed and not consent:
            failing.append(RefusalReason.CONSENT_NOT_RECORDED)
        return failing

    def _vetting_failure(self, level: int) -> RefusalReason | None:
        """Whether the viewer's vetting stops them receiving `level`, and how."""
        facts = self.facts
        if level <= facts.cleared_sensitivity:
            return None
        if facts.vetting_has_expired and cleared_sensitivity(facts.vetting_level, role=facts.role) >= level:
            return RefusalReason.VETTING_EXPIRED
        return RefusalReason.VETTING_TOO_LOW

    # -- what to say -------------------------------------------------------------------------------

    def _vetting_message(self, reason: str, level: int) -> str:
        if reason == RefusalReason.VETTING_EXPIRED:
            return f"your vetting expired on {_date(self.facts.vetting_expires_on)}: ask your manager to renew it."
        needed = _VETTING_NAMES[VETTING_NEEDED[level]]
        return f"{Sensitivity(level).label} information needs {needed} vetting: ask your manager about it."

    def _ask_holder(self, holder: str) -> str:
        """What the viewer can do to get it from `holder` anyway: ask, or have staff ask."""
        if self.facts.is_volunteer:
            return "staff at your agency can ask for this"
        return f"ask {holder} for it"

    def _governance(self, others: str, for_ig_lead: str) -> str:
        """Who acts: the viewer themselves when they are the information-governance lead."""
        return for_ig_lead if self.facts.role == Role.IG_LEAD else others

    def _no_protocol(self, w: _Withheld) -> Refusal:
        if not self.covered:
            message = (
                f"No protocol in force covers {w.purpose_name} for {w.own_name}: choose another purpose, "
                f"or {self._ask_holder(w.holder)}."
            )
        else:
            message = (
                f"No protocol in force lets {w.holder} share {w.category_name} with {w.own_name} for "
                f"{w.purpose_name}: {self._ask_holder(w.holder)}."
            )
        return _refusal(w, RefusalReason.NO_PROTOCOL, message, None)

    def _too_sensitive(self, w: _Withheld, rules: list[ClauseRule]) -> Refusal:
        rule = max(rules, key=lambda r: (r.max_sensitivity, r.policy_id))
        allowed = Sensitivity(rule.max_sensitivity).label
        message = (
            f"{w.holder}'s {w.category_name} marked {Sensitivity(w.level).label} is more sensitive than "
            f"the protocols share for {w.purpose_name} ({allowed} at most): {self._ask_holder(w.holder)}."
        )
        return _refusal(w, RefusalReason.TOO_SENSITIVE, message, rule)

    def _decision_error(self, w: _Withheld, rule: ClauseRule, where: str) -> str:
        return (
            f"{w.holder}'s {w.category_name} is withheld because the sharing decision could not be made "
            "safely: "
            + self._governance(
                f"tell your information-governance lead it failed on {where}.",
                f"check {where} and its conditions.",
            )
        )

    def _volunteers_not_covered(self, w: _Withheld, rule: ClauseRule, where: str) -> str:
        return (
            f"{where} shares {w.holder}'s {w.category_name} with staff, not volunteers: "
            "staff at your agency can ask for this."
        )

    def _role_not_recipient(self, w: _Withheld, rule: ClauseRule, where: str) -> str:
        recipients = [f"{Role(r).label.lower()}s" for r in sorted(rule.recipient_roles)] or ["volunteers"]
        return (
            f"{where} shares {w.holder}'s {w.category_name} with {' and '.join(recipients)} only, not "
            f"{_labels([self.facts.role], Role).lower()}s: {self._ask_holder(w.holder)}."
        )

    def _training_not_current(self, w: _Withheld, rule: ClauseRule, where: str) -> str:
        parts = []
        for course in sorted(set(rule.required_courses) - self.facts.current_courses):
            label = Course(course).label if course in Course.values else course
            if course in self.facts.lapsed_courses:
                parts.append(f"your ‘{label}’ training expired on {_date(self.facts.lapsed_courses[course])}")
            else:
                parts.append(f"you have no record of completing ‘{label}’")
        return (
            f"{_sentence(' and '.join(parts))}, which {where} needs for {w.holder}'s {w.category_name}: "
            "renew it and ask your manager to record it."
        )

    def _vetting(self, w: _Withheld, rule: ClauseRule, where: str) -> str:
        reason = self._vetting_failure(w.level) or RefusalReason.VETTING_TOO_LOW
        return (
            f"{w.holder}'s {w.category_name} marked {Sensitivity(w.level).label} is withheld because "
            + self._vetting_message(reason, w.level)
        )

    def _assurance_expired(self, w: _Withheld, rule: ClauseRule, where: str) -> str:
        needed = AssuranceLevel(rule.minimum_assurance).label
        return (
            f"{w.own_name}'s security assurance expired on {_date(self.facts.assurance_expires_on)}, so "
            f"{w.holder}'s {w.category_name} is withheld: "
            + self._governance(
                f"your information-governance lead must renew it ({needed} or above).",
                f"renew it ({needed} or above) to receive it under {where}.",
            )
        )

    def _assurance_below_minimum(self, w: _Withheld, rule: ClauseRule, where: str) -> str:
        current = AssuranceLevel(self.facts.assurance_in_force).label
        return (
            f"{w.own_name}'s security assurance ({current}) is below the "
            f"{AssuranceLevel(rule.minimum_assurance).label} that {where} needs for {w.holder}'s "
            f"{w.category_name}: "
            + self._governance("your information-governance lead can raise it.", "raise it to receive it.")
        )

    def _consent_not_recorded(self, w: _Withheld, rule: ClauseRule, where: str) -> str:
        return (
            f"{where} shares {w.holder}'s {w.category_name} only with the person's consent, and none is "
            f"recorded: record their consent, or {self._ask_holder(w.holder)}."
        )

    _MESSAGES = {
        RefusalReason.DECISION_ERROR: _decision_error,
        RefusalReason.VOLUNTEERS_NOT_COVERED: _volunteers_not_covered,
        RefusalReason.ROLE_NOT_RECIPIENT: _role_not_recipient,
        RefusalReason.TRAINING_NOT_CURRENT: _training_not_current,
        RefusalReason.VETTING_EXPIRED: _vetting,
        RefusalReason.VETTING_TOO_LOW: _vetting,
        RefusalReason.ASSURANCE_EXPIRED: _assurance_expired,
        RefusalReason.ASSURANCE_BELOW_MINIMUM: _assurance_below_minimum,
        RefusalReason.CONSENT_NOT_RECORDED: _consent_not_recorded,
    }


def _refusal(w: _Withheld, reason: RefusalReason, message: str, rule: ClauseRule | None) -> Refusal:
    return Refusal(
        holding_agency_id=w.agency_id,
        category_code=w.category,
        category_id=w.category_id,
        from_sensitivity=w.level,
        reason=reason,
        message=message,
        clause_id=rule.policy_id if rule else None,
        may_disclose_existence=rule.may_disclose_existence if rule else False,
    )


# Vetting as staff name it in conversation (the full names are VettingLevel's labels).
_VETTING_NAMES: dict[int, str] = {
    VettingLevel.NONE: "no",
    VettingLevel.BPSS: "BPSS",
    VettingLevel.NPPV2: "NPPV level 2",
    VettingLevel.NPPV3_SC: "NPPV level 3 or SC",
}


def _date(day: dt.date | None) -> str:
    return f"{day.day} {day:%B %Y}" if day else "an unrecorded date"


def _labels(values: Iterable[str], choices) -> str:
    names = [choices(v).label if v in choices.values else v for v in sorted(values)]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _clause_label(policy_id: str) -> str:
    return f"clause {policy_id.rsplit(':', 1)[-1]}"
