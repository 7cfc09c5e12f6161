"""The sharing decision: what a viewer may receive from each agency, for one purpose, on one day.

`access_grid` asks Cedar, in one batch, about every (holding agency, category, sensitivity) that an
in-force clause could open to the viewer, and explains every refusal in words a person can act on.
`grid_filter` turns the grid into one database condition for records.selectors (the one door).
Every fact the decision rests on (training, vetting, assurance, protocols in force, consent) is
read fresh on every call, so an expiry closes access at once; only the pure computation from those
facts to the grid is remembered, keyed on all of them (see `_remembered_grid`).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from django.db import connection
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from iomshare import plain_sql as sql
from iomshare.errors import InvalidInput, NotPermitted
from iomshare.partnership.models import AssuranceLevel, Course, Role, StaffMember, VettingLevel
from iomshare.protocols import cedar, facts, selectors
from iomshare.protocols.models import Purpose
from iomshare.protocols.rules import VETTING_NEEDED, ClauseRule, ViewerFacts, cleared_sensitivity
from iomshare.records.models import InformationItem, Sensitivity

OWN_AGENCY = "own-agency"
TOP_SENSITIVITY = max(Sensitivity.values)


class RefusalReason:
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


@dataclass(frozen=True)
class Grant:
    """The viewer may receive this category from this holding agency, up to `max_sensitivity`."""

    holding_agency_id: int
    category_code: str
    category_id: int
    max_sensitivity: int
    clause_id: str  # the Cedar policy id relied upon, or OWN_AGENCY
    protocol_id: int | None
    may_disclose_existence: bool
    redacted_fields: tuple[str, ...] = ()  # payload fields of this category to remove
    retention_days: int | None = None  # how long the recipient may keep a copy (None: own item)
    protocol_title: str = ""

    @property
    def label(self) -> str:
        """What a viewer is told allowed them to see an item shared under this grant."""
        return (
            f"Shared under {self.protocol_title or 'a protocol'}, clause {self.clause_id.rsplit(':', 1)[-1]}"
        )

    @property
    def is_own(self) -> bool:
        return self.clause_id == OWN_AGENCY


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
class AccessGrid:
    """For one viewer and purpose on one day: what is granted, and what is refused and why."""

    viewer_id: int
    viewer_agency_id: int
    purpose_code: str
    day: dt.date
    grants: dict[tuple[int, str], Grant]
    refusals: dict[tuple[int, str], Refusal]
    # Whether any in-force clause for this purpose shares anything with the viewer's agency.
    purpose_is_covered: bool = False
    decision_errors: tuple[str, ...] = field(default=())

    def grant_for(self, holding_agency_id: int, category_code: str) -> Grant | None:
        return self.grants.get((holding_agency_id, category_code))

    def allows(self, holding_agency_id: int, category_code: str, sensitivity: int) -> bool:
        grant = self.grants.get((holding_agency_id, category_code))
        return grant is not None and sensitivity <= grant.max_sensitivity

    def refusal_for(self, holding_agency_id: int, category_code: str, sensitivity: int) -> Refusal | None:
        refusal = self.refusals.get((holding_agency_id, category_code))
        if refusal is None or sensitivity < refusal.from_sensitivity:
            return None
        return refusal

    @property
    def clause_ids(self) -> set[str]:
        """The protocol clauses this grid relies on (own items rely on none)."""
        return {grant.clause_id for grant in self.grants.values() if not grant.is_own}


@dataclass(frozen=True)
class PartnershipFacts:
    """Names and codes the grid is computed over, read once per decision."""

    agency_names: Mapping[int, str]
    categories: Mapping[str, tuple[int, str]]  # code -> (id, name)
    purpose_names: Mapping[str, str]
    agency_assurance_in_force: Mapping[int, int]


# --- the public API -----------------------------------------------------------------------------


def purposes_for(viewer: StaffMember, *, on: dt.date | None = None) -> list[Purpose]:
    """Purposes of in-force protocols under which another agency shares something with the viewer.

    Training and assurance are not checked here, so a viewer whose training lapsed still sees the
    purpose and is then told what to renew, rather than finding the purpose silently gone.
    """
    if viewer.agency_id is None:
        return []
    is_volunteer = bool(viewer.is_volunteer or viewer.role == Role.VOLUNTEER)
    codes = {
        purpose
        for rule in selectors.rules_in_force(on=on)
        if viewer.agency_id in rule.recipient_agency_ids
        and _role_may_receive(rule, viewer.role, is_volunteer)
        for purpose in rule.purposes
    }
    return list(Purpose.objects.filter(code__in=codes).order_by("name"))


def access_grid(
    viewer: StaffMember,
    purpose_code: str,
    *,
    on: dt.date | None = None,
    consented_sources: Collection[int] | Callable[[], Collection[int]] = (),
) -> AccessGrid:
    """What `viewer` may receive from each agency for `purpose_code` on `on` (default today).

    `consented_sources` are holding agencies whose sharing about the person in view the person has
    consented to (recorded, unexpired, not withdrawn): clauses that need consent count only those.
    Given as a function, it is called only when a clause in force for this purpose and the viewer's
    agency needs consent, so most reads skip the consent records altogether.
    """
    if viewer.agency_id is None:
        raise NotPermitted("Your account is not linked to an agency, so it cannot see any information.")
    day = on or timezone.localdate()
    purposes = facts.purpose_names()
    if purpose_code not in purposes:
        raise InvalidInput(
            f"'{purpose_code}' is not a purpose for sharing information.",
            field_errors={"purpose": "Choose the purpose for which you need the information"},
        )
    agencies = facts.agencies()
    viewer_facts = ViewerFacts.of(
        viewer,
        day,
        training=facts.training_of(viewer.pk),
        agency=next((agency for agency in agencies if agency.pk == viewer.agency_id), None),
    )
    partnership = PartnershipFacts(
        agency_names={agency.pk: agency.name for agency in agencies},
        categories=facts.category_ids_and_names(),
        purpose_names=purposes,
        agency_assurance_in_force={agency.pk: int(agency.assurance_on(day)) for agency in agencies},
    )
    rules = selectors.rules_in_force(on=day)
    if callable(consented_sources):
        needs_consent = any(
            rule.consent_needed
            and purpose_code in rule.purposes
            and viewer.agency_id in rule.recipient_agency_ids
            for rule in rules
        )
        consented_sources = consented_sources() if needs_consent else ()
    return _remembered_grid(viewer_facts, purpose_code, rules, partnership, frozenset(consented_sources))


# Grids computed from exactly these facts: the same facts always give the same grid, and a read
# skips the Cedar batch and the explanations (most of a decision's time) when nothing has changed.
_GRIDS: OrderedDict[tuple, AccessGrid] = OrderedDict()
_GRIDS_HELD = 512
_GRIDS_LOCK = threading.Lock()


def forget_grids() -> None:
    """Drop every remembered grid (tests that replace part of the decision call this first)."""
    with _GRIDS_LOCK:
        _GRIDS.clear()


def _remembered_grid(
    facts: ViewerFacts,
    purpose: str,
    rules: list[ClauseRule],
    partnership: PartnershipFacts,
    consented: frozenset[int],
) -> AccessGrid:
    """`compute_grid` for these facts, remembered under a key made of every one of them.

    The key holds the facts themselves, not a version or a time, so nothing can go stale: a lapsed
    course, an expired vetting or assurance, a suspended protocol or a withdrawn consent is a
    different key. Grids are immutable in use (records.selectors only reads them).
    """
    key = (
        facts.staff_id,
        facts.agency_id,
        facts.role,
        facts.is_volunteer,
        facts.day,
        facts.current_courses,
        tuple(sorted(facts.lapsed_courses.items())),
        facts.assurance_level,
        facts.assurance_expires_on,
        facts.vetting_level,
        facts.vetting_expires_on,
        purpose,
        tuple(rules),
        tuple(sorted(partnership.agency_names.items())),
        tuple(sorted(partnership.categories.items())),
        tuple(sorted(partnership.purpose_names.items())),
        tuple(sorted(partnership.agency_assurance_in_force.items())),
        consented,
    )
    with _GRIDS_LOCK:
        grid = _GRIDS.get(key)
        if grid is not None:
            _GRIDS.move_to_end(key)
            return grid
    grid = compute_grid(facts, purpose, rules, partnership, consented_sources=consented)
    with _GRIDS_LOCK:
        _GRIDS[key] = grid
        while len(_GRIDS) > _GRIDS_HELD:
            _GRIDS.popitem(last=False)
    return grid


def grid_filter(grid: AccessGrid) -> Q:
    """One condition over InformationItem fields that matches exactly what the grid grants.

    Written as SQL over the item columns, unqualified (so it also reads right inside a subquery): it
    is built for every read of a person, and as a tree of ORM lookups it cost more to build than
    the query took to run. One term for own items, one per (holding agency, highest sensitivity).
    """
    column = _item_column_sql(connection.vendor)
    terms: list[str] = []
    params: list[int] = []
    # Own items: every category at one level, the viewer's vetting (see compute_grid).
    own_level = max(
        (g.max_sensitivity for g in grid.grants.values() if g.holding_agency_id == grid.viewer_agency_id),
        default=0,
    )
    if own_level >= TOP_SENSITIVITY:
        terms.append(f"{column['holding_agency']} = %s")
        params.append(grid.viewer_agency_id)
    elif own_level > 0:
        terms.append(f"({column['holding_agency']} = %s AND {column['sensitivity']} <= %s)")
        params += [grid.viewer_agency_id, own_level]
    grouped: dict[tuple[int, int], list[int]] = defaultdict(list)
    for grant in grid.grants.values():
        if grant.holding_agency_id != grid.viewer_agency_id:
            grouped[(grant.holding_agency_id, grant.max_sensitivity)].append(grant.category_id)
    for (agency_id, max_sensitivity), category_ids in sorted(grouped.items()):
        terms.append(
            f"({column['holding_agency']} = %s AND {column['category']} IN ({', '.join(['%s'] * len(category_ids))})"
            f" AND {column['sensitivity']} <= %s)"
        )
        params += [agency_id, *sorted(category_ids), max_sensitivity]
    if not terms:
        return Q(pk__in=[])
    # Column names come from the model and every value is a parameter.
    return Q(RawSQL(f"({' OR '.join(terms)})", params, output_field=BooleanField()))  # noqa: S611


@lru_cache(maxsize=2)
def _item_column_sql(vendor: str) -> dict[str, str]:
    """The item columns the condition names, quoted once per database vendor."""
    return {name: sql.column(InformationItem, name) for name in ("holding_agency", "category", "sensitivity")}


def own_items_filter(viewer: StaffMember, *, on: dt.date | None = None) -> Q:
    """The viewer's own agency's items up to their vetting: for reads before a purpose is declared."""
    cleared = min(cleared_sensitivity(viewer.vetting_on(on), role=viewer.role), TOP_SENSITIVITY)
    if cleared >= TOP_SENSITIVITY:
        return Q(holding_agency_id=viewer.agency_id)
    return Q(holding_agency_id=viewer.agency_id, sensitivity__lte=cleared)


# --- the decision itself, free of the database (property tests call it directly) ------------------


def compute_grid(
    facts: ViewerFacts,
    purpose: str,
    rules: Iterable[ClauseRule],
    partnership: PartnershipFacts,
    *,
    consented_sources: Collection[int] = (),
) -> AccessGrid:
    """The access grid from plain values: one Cedar batch, then an explanation per refusal."""
    rules = list(rules)
    own = facts.agency_id
    consented = set(consented_sources)
    # Vetting caps own items too: an unvetted volunteer does not read their own agency's
    # OFFICIAL-SENSITIVE intelligence. Cedar applies the same cap to every clause.
    cleared = min(facts.cleared_sensitivity, TOP_SENSITIVITY)
    explain = _Explainer(facts, purpose, partnership, covered=False)
    grants: dict[tuple[int, str], Grant] = {}
    refusals: dict[tuple[int, str], Refusal] = {}
    for code, (category_id, _) in partnership.categories.items():
        if cleared >= 1:
            grants[(own, code)] = Grant(own, code, category_id, cleared, OWN_AGENCY, None, True)
        if cleared < TOP_SENSITIVITY:
            refusals[(own, code)] = explain.own_agency(code, category_id, cleared + 1)
    candidates: dict[tuple[int, str], list[ClauseRule]] = defaultdict(list)
    for rule in rules:
        if purpose in rule.purposes and own in rule.recipient_agency_ids and rule.sharing_agency_id != own:
            for category in rule.categories:
                if category in partnership.categories and rule.sharing_agency_id in partnership.agency_names:
                    candidates[(rule.sharing_agency_id, category)].append(rule)

    # One request per level up to the highest any candidate clause allows: above it, nothing could.
    requests = [
        (agency_id, category, level, agency_id in consented)
        for (agency_id, category), pair_rules in sorted(candidates.items())
        for level in range(1, max(r.max_sensitivity for r in pair_rules) + 1)
    ]
    assurance = dict(partnership.agency_assurance_in_force)
    assurance.setdefault(own, facts.assurance_in_force)
    try:
        policies = cedar.compile_rules(rules)
    except cedar.PolicyCompileError as error:
        policies, compile_error = "", str(error)
    else:
        compile_error = ""
    entities = cedar.build_entities(facts, assurance, [(a, c, level) for a, c, level, _ in requests])
    answers = cedar.decide_batch(policies, entities, facts, requests, purpose)
    if compile_error:
        answers = [cedar.Answer(allowed=False, errors=(compile_error,)) for _ in requests]
    by_class = {(a, c, level): answer for (a, c, level, _), answer in zip(requests, answers, strict=True)}

    explain = _Explainer(facts, purpose, partnership, covered=bool(candidates))
    rules_by_id = {rule.policy_id: rule for rule in rules}
    for agency_id in sorted(partnership.agency_names):
        if agency_id == own:
            continue
        for category, (category_id, _) in sorted(partnership.categories.items()):
            pair_rules = candidates.get((agency_id, category), [])
            granted_to = 0
            relied: ClauseRule | None = None
            for level in range(1, TOP_SENSITIVITY + 1):
                answer = by_class.get((agency_id, category, level))
                if answer is None or not answer.allowed:
                    break
                chosen = _least_redacting(
                    [rules_by_id[i] for i in answer.policy_ids if i in rules_by_id], category
                )
                if chosen is None:  # Cedar named a policy we did not compile: do not trust it
                    break
                granted_to, relied = level, chosen
            if relied is not None:
                grants[(agency_id, category)] = Grant(
                    holding_agency_id=agency_id,
                    category_code=category,
                    category_id=category_id,
                    max_sensitivity=granted_to,
                    clause_id=relied.policy_id,
                    protocol_id=relied.protocol_id,
                    protocol_title=relied.protocol_title,
                    may_disclose_existence=relied.may_disclose_existence,
                    redacted_fields=relied.redactions_for(category),
                    retention_days=relied.retention_days,
                )
            if granted_to < TOP_SENSITIVITY:
                level = granted_to + 1
                answer = by_class.get((agency_id, category, level))
                refusals[(agency_id, category)] = explain(
                    agency_id,
                    category,
                    category_id,
                    level,
                    pair_rules,
                    consent=agency_id in consented,
                    errors=answer.errors if answer else (),
                )
    errors = tuple(sorted({e for answer in answers for e in answer.errors}))
    return AccessGrid(
        viewer_id=facts.staff_id,
        viewer_agency_id=own,
        purpose_code=purpose,
        day=facts.day,
        grants=grants,
        refusals=refusals,
        purpose_is_covered=bool(candidates),
        decision_errors=errors,
    )


def _least_redacting(rules: list[ClauseRule], category: str) -> ClauseRule | None:
    if not rules:
        return None
    return min(rules, key=lambda r: (len(r.redactions_for(category)), r.policy_id))


def _role_may_receive(rule: ClauseRule, role: str, is_volunteer: bool) -> bool:
    return rule.volunteers_may_receive if is_volunteer else role in rule.recipient_roles


def _date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _labels(values: Iterable[str], choices) -> str:
    names = [choices(v).label if v in choices.values else v for v in sorted(values)]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


class _Explainer:
    """Finds, in Python, the first condition that stops a clause applying, and says it plainly."""

    def __init__(self, facts: ViewerFacts, purpose: str, partnership: PartnershipFacts, *, covered: bool):
        self.facts = facts
        self.purpose = purpose
        self.partnership = partnership
        self.covered = covered

    def _vetting_failure(self, level: int) -> str | None:
        """Whether the viewer's vetting stops them receiving `level`, and how."""
        facts = self.facts
        if level <= facts.cleared_sensitivity:
            return None
        if facts.vetting_has_expired and cleared_sensitivity(facts.vetting_level, role=facts.role) >= level:
            return RefusalReason.VETTING_EXPIRED
        return RefusalReason.VETTING_TOO_LOW

    def _vetting_message(self, reason: str, level: int) -> str:
        facts = self.facts
        sensitivity = Sensitivity(level).label
        needed = _VETTING_NAMES[VETTING_NEEDED[level]]
        if reason == RefusalReason.VETTING_EXPIRED:
            assert facts.vetting_expires_on is not None  # it expired, so it has an expiry date
            return f"your vetting expired on {_date(facts.vetting_expires_on)}: ask your manager to renew it."
        return f"{sensitivity} information needs {needed} vetting: ask your manager about it."

    def _ask_holder(self, holder: str) -> str:
        """What the viewer can do to get it from `holder` anyway: ask, or have staff ask."""
        if self.facts.is_volunteer:
            return "staff at your agency can ask for this"
        return f"ask {holder} for it"

    def _governance(self, others: str, for_ig_lead: str) -> str:
        """Who acts: the viewer themselves when they are the information-governance lead."""
        return for_ig_lead if self.facts.role == Role.IG_LEAD else others

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

    def _failures(self, rule: ClauseRule, consent: bool, level: int) -> list[str]:
        """The failing checks of `rule`, in the order a person should deal with them."""
        facts = self.facts
        failing = []
        if not _role_may_receive(rule, facts.role, facts.is_volunteer):
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
        holder = self.partnership.agency_names[agency_id]
        category_name = self.partnership.categories[category][1].lower()
        purpose_name = self.partnership.purpose_names.get(self.purpose, self.purpose).lower()
        own_name = self.partnership.agency_names.get(self.facts.agency_id, "your agency")

        def refusal(reason: str, message: str, rule: ClauseRule | None) -> Refusal:
            return Refusal(
                holding_agency_id=agency_id,
                category_code=category,
                category_id=category_id,
                from_sensitivity=level,
                reason=reason,
                message=message,
                clause_id=rule.policy_id if rule else None,
                may_disclose_existence=rule.may_disclose_existence if rule else False,
            )

        if not rules:
            if not self.covered:
                return refusal(
                    RefusalReason.NO_PROTOCOL,
                    f"No protocol in force covers {purpose_name} for {own_name}: choose another purpose, "
                    f"or {self._ask_holder(holder)}.",
                    None,
                )
            return refusal(
                RefusalReason.NO_PROTOCOL,
                f"No protocol in force lets {holder} share {category_name} with {own_name} for "
                f"{purpose_name}: {self._ask_holder(holder)}.",
                None,
            )
        eligible = [rule for rule in rules if rule.max_sensitivity >= level]
        if not eligible:
            rule = max(rules, key=lambda r: (r.max_sensitivity, r.policy_id))
            allowed = Sensitivity(rule.max_sensitivity).label
            return refusal(
                RefusalReason.TOO_SENSITIVE,
                f"{holder}'s {category_name} marked {Sensitivity(level).label} is more sensitive than "
                f"the protocols share for {purpose_name} ({allowed} at most): {self._ask_holder(holder)}.",
                rule,
            )
        # The clause that came nearest: fewest failing checks, then the latest first failure.
        order = [
            RefusalReason.ROLE_NOT_RECIPIENT,
            RefusalReason.VOLUNTEERS_NOT_COVERED,
            RefusalReason.TRAINING_NOT_CURRENT,
            RefusalReason.VETTING_EXPIRED,
            RefusalReason.VETTING_TOO_LOW,
            RefusalReason.ASSURANCE_EXPIRED,
            RefusalReason.ASSURANCE_BELOW_MINIMUM,
            RefusalReason.CONSENT_NOT_RECORDED,
        ]
        scored = sorted(
            eligible,
            key=lambda r: (
                len(self._failures(r, consent, level)),
                -min((order.index(f) for f in self._failures(r, consent, level)), default=len(order)),
                r.policy_id,
            ),
        )
        rule = scored[0]
        failures = self._failures(rule, consent, level)
        where = f"{rule.protocol_title} ({_clause_label(rule.policy_id)})"
        if not failures:
            return refusal(
                RefusalReason.DECISION_ERROR,
                f"{holder}'s {category_name} is withheld because the sharing decision could not be made "
                "safely: "
                + self._governance(
                    f"tell your information-governance lead it failed on {where}.",
                    f"check {where} and its conditions.",
                ),
                rule,
            )
        reason = failures[0]
        facts = self.facts
        if reason == RefusalReason.VOLUNTEERS_NOT_COVERED:
            message = (
                f"{where} shares {holder}'s {category_name} with staff, not volunteers: "
                "staff at your agency can ask for this."
            )
        elif reason == RefusalReason.ROLE_NOT_RECIPIENT:
            recipients = [f"{Role(r).label.lower()}s" for r in sorted(rule.recipient_roles)] or ["volunteers"]
            message = (
                f"{where} shares {holder}'s {category_name} with {' and '.join(recipients)} only, not "
                f"{_labels([facts.role], Role).lower()}s: {self._ask_holder(holder)}."
            )
        elif reason == RefusalReason.TRAINING_NOT_CURRENT:
            missing = sorted(set(rule.required_courses) - facts.current_courses)
            parts = []
            for course in missing:
                label = Course(course).label if course in Course.values else course
                if course in facts.lapsed_courses:
                    parts.append(f"your ‘{label}’ training expired on {_date(facts.lapsed_courses[course])}")
                else:
                    parts.append(f"you have no record of completing ‘{label}’")
            message = (
                f"{_sentence(' and '.join(parts))}, which {where} needs for {holder}'s {category_name}: "
                "renew it and ask your manager to record it."
            )
        elif reason in {RefusalReason.VETTING_EXPIRED, RefusalReason.VETTING_TOO_LOW}:
            message = (
                f"{holder}'s {category_name} marked {Sensitivity(level).label} is withheld because "
                + self._vetting_message(reason, level)
            )
        elif reason == RefusalReason.ASSURANCE_EXPIRED:
            assert facts.assurance_expires_on is not None  # it expired, so it has an expiry date
            needed = AssuranceLevel(rule.minimum_assurance).label
            message = (
                f"{own_name}'s security assurance expired on {_date(facts.assurance_expires_on)}, so "
                f"{holder}'s {category_name} is withheld: "
                + self._governance(
                    f"your information-governance lead must renew it ({needed} or above).",
                    f"renew it ({needed} or above) to receive it under {where}.",
                )
            )
        elif reason == RefusalReason.ASSURANCE_BELOW_MINIMUM:
            current = AssuranceLevel(facts.assurance_in_force).label
            message = (
                f"{own_name}'s security assurance ({current}) is below the "
                f"{AssuranceLevel(rule.minimum_assurance).label} that {where} needs for {holder}'s "
                f"{category_name}: "
                + self._governance(
                    "your information-governance lead can raise it.", "raise it to receive it."
                )
            )
        else:
            message = (
                f"{where} shares {holder}'s {category_name} only with the person's consent, and none is "
                f"recorded: record their consent, or {self._ask_holder(holder)}."
            )
        return refusal(reason, message, rule)


# Vetting as staff name it in conversation (the full names are VettingLevel's labels).
_VETTING_NAMES: dict[int, str] = {
    VettingLevel.NONE: "no",
    VettingLevel.BPSS: "BPSS",
    VettingLevel.NPPV2: "NPPV level 2",
    VettingLevel.NPPV3_SC: "NPPV level 3 or SC",
}


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _clause_label(policy_id: str) -> str:
    return f"clause {policy_id.rsplit(':', 1)[-1]}"
