"""The sharing decision: what a viewer may receive from each agency, for one purpose, on one day.

`access_grid` asks Cedar, in one batch, about every (holding agency, category, sensitivity) that an
in-force clause could open to the viewer, and explains every refusal in words a person can act on.
Refusals are explained by protocols.refusals; records.selectors.grid turns the grid into one
database condition for the door.
Every fact the decision rests on (training, vetting, assurance, protocols in force, consent) is
read fresh on every call, so an expiry closes access at once; only the pure computation from those
facts to the grid is remembered, keyed on all of them (see `_remembered_grid`).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field

from django.utils import timezone

from iomshare.errors import InvalidInput, NotPermitted
from iomshare.partnership.models import StaffMember
from iomshare.protocols import cedar, facts, selectors
from iomshare.protocols.models import Purpose
from iomshare.protocols.refusals import Explainer, PartnershipFacts, Refusal, RefusalReason
from iomshare.protocols.rules import ClauseRule, ViewerFacts
from iomshare.records.models import Sensitivity

# Callers name these from here: the decision's vocabulary, wherever each is written.
__all__ = [
    "OWN_AGENCY",
    "TOP_SENSITIVITY",
    "AccessGrid",
    "Grant",
    "PartnershipFacts",
    "Refusal",
    "RefusalReason",
    "access_grid",
    "access_grids",
    "compute_grid",
    "forget_grids",
    "purposes_for",
]

OWN_AGENCY = "own-agency"
TOP_SENSITIVITY = max(Sensitivity.values)


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


# --- the public API -----------------------------------------------------------------------------


def purposes_for(viewer: StaffMember, *, on: dt.date | None = None) -> list[Purpose]:
    """Purposes of in-force protocols under which another agency shares something with the viewer.

    Training and assurance are not checked here, so a viewer whose training lapsed still sees the
    purpose and is then told what to renew, rather than finding the purpose silently gone.
    """
    if viewer.agency_id is None:
        return []
    codes = _declarable(viewer, selectors.rules_in_force(on=on))
    return list(Purpose.objects.filter(code__in=codes).order_by("name"))


def _declarable(viewer: StaffMember, rules: Iterable[ClauseRule]) -> set[str]:
    """The purposes of `rules` under which another agency shares something with the viewer."""
    return {
        purpose
        for rule in rules
        if viewer.agency_id in rule.recipient_agency_ids
        and rule.reaches(viewer.role, is_volunteer=viewer.counts_as_volunteer)
        for purpose in rule.purposes
    }


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
    decision = _DecisionFacts.read(viewer, on or timezone.localdate())
    if purpose_code not in decision.partnership.purpose_names:
        raise InvalidInput(
            f"'{purpose_code}' is not a purpose for sharing information.",
            field_errors={"purpose": "Choose the purpose for which you need the information"},
        )
    if callable(consented_sources):
        needs_consent = any(
            rule.consent_needed
            and purpose_code in rule.purposes
            and viewer.agency_id in rule.recipient_agency_ids
            for rule in decision.rules
        )
        consented_sources = consented_sources() if needs_consent else ()
    return decision.grid(purpose_code, frozenset(consented_sources))


def access_grids(
    viewer: StaffMember, purpose_codes: Iterable[str] | None = None, *, on: dt.date | None = None
) -> list[AccessGrid]:
    """`access_grid` for each of `purpose_codes` (unknown codes skipped; None: every purpose the
    viewer may declare, as `purposes_for`), the facts read once.

    Without consent: for questions about the viewer rather than one person (which agencies share
    anything with them at all), where no person's consent is in view.
    """
    decision = _DecisionFacts.read(viewer, on or timezone.localdate())
    codes = sorted(_declarable(viewer, decision.rules)) if purpose_codes is None else purpose_codes
    return [decision.grid(code, frozenset()) for code in codes if code in decision.partnership.purpose_names]


@dataclass(frozen=True)
class _DecisionFacts:
    """Every fact a decision rests on, read fresh: the viewer's, the partnership's, the clauses in force."""

    viewer: ViewerFacts
    partnership: PartnershipFacts
    rules: list[ClauseRule]

    @classmethod
    def read(cls, viewer: StaffMember, day: dt.date) -> _DecisionFacts:
        if viewer.agency_id is None:
            raise NotPermitted("Your account is not linked to an agency, so it cannot see any information.")
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
            purpose_names=facts.purpose_names(),
            agency_assurance_in_force={agency.pk: int(agency.assurance_on(day)) for agency in agencies},
        )
        return cls(viewer_facts, partnership, selectors.rules_in_force(on=day))

    def grid(self, purpose_code: str, consented: frozenset[int]) -> AccessGrid:
        return _remembered_grid(self.viewer, purpose_code, self.rules, self.partnership, consented)


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
    grants, refusals = _own_agency_grid(facts, purpose, partnership)
    candidates = _candidate_rules(rules, purpose, own, partnership)
    answers, by_class = _ask_cedar(facts, purpose, rules, partnership, candidates, consented)
    explain = Explainer(facts, purpose, partnership, covered=bool(candidates))
    rules_by_id = {rule.policy_id: rule for rule in rules}
    for agency_id in sorted(partnership.agency_names):
        if agency_id == own:
            continue
        for category, (category_id, _) in sorted(partnership.categories.items()):
            granted_to, relied = _highest_granted(by_class, agency_id, category, rules_by_id)
            if relied is not None:
                grants[(agency_id, category)] = _grant(agency_id, category, category_id, granted_to, relied)
            if granted_to < TOP_SENSITIVITY:
                answer = by_class.get((agency_id, category, granted_to + 1))
                refusals[(agency_id, category)] = explain(
                    agency_id,
                    category,
                    category_id,
                    granted_to + 1,
                    candidates.get((agency_id, category), []),
                    consent=agency_id in consented,
                    errors=answer.errors if answer else (),
                )
    return AccessGrid(
        viewer_id=facts.staff_id,
        viewer_agency_id=own,
        purpose_code=purpose,
        day=facts.day,
        grants=grants,
        refusals=refusals,
        purpose_is_covered=bool(candidates),
        decision_errors=tuple(sorted({e for answer in answers for e in answer.errors})),
    )


def _own_agency_grid(
    facts: ViewerFacts, purpose: str, partnership: PartnershipFacts
) -> tuple[dict[tuple[int, str], Grant], dict[tuple[int, str], Refusal]]:
    """The viewer's own agency's items: every category up to their vetting, no clause needed.

    Vetting caps own items too: an unvetted volunteer does not read their own agency's
    OFFICIAL-SENSITIVE intelligence. Cedar applies the same cap to every clause.
    """
    own = facts.agency_id
    cleared = min(facts.cleared_sensitivity, TOP_SENSITIVITY)
    explain = Explainer(facts, purpose, partnership, covered=False)
    grants: dict[tuple[int, str], Grant] = {}
    refusals: dict[tuple[int, str], Refusal] = {}
    for code, (category_id, _) in partnership.categories.items():
        if cleared >= 1:
            grants[(own, code)] = Grant(own, code, category_id, cleared, OWN_AGENCY, None, True)
        if cleared < TOP_SENSITIVITY:
            refusals[(own, code)] = explain.own_agency(code, category_id, cleared + 1)
    return grants, refusals


def _candidate_rules(
    rules: list[ClauseRule], purpose: str, own: int, partnership: PartnershipFacts
) -> dict[tuple[int, str], list[ClauseRule]]:
    """Per (holding agency, category), the clauses for this purpose that share with the viewer's agency."""
    candidates: dict[tuple[int, str], list[ClauseRule]] = defaultdict(list)
    for rule in rules:
        if (
            purpose not in rule.purposes
            or own not in rule.recipient_agency_ids
            or rule.sharing_agency_id == own
        ):
            continue
        if rule.sharing_agency_id not in partnership.agency_names:
            continue
        for category in rule.categories:
            if category in partnership.categories:
                candidates[(rule.sharing_agency_id, category)].append(rule)
    return candidates


def _ask_cedar(
    facts: ViewerFacts,
    purpose: str,
    rules: list[ClauseRule],
    partnership: PartnershipFacts,
    candidates: dict[tuple[int, str], list[ClauseRule]],
    consented: set[int],
) -> tuple[list[cedar.Answer], dict[tuple[int, str, int], cedar.Answer]]:
    """Cedar's answers, in one batch, for every level up to the highest any candidate clause allows
    (above it, nothing could); a policy set that does not compile refuses everything, with the error."""
    requests = [
        (agency_id, category, level, agency_id in consented)
        for (agency_id, category), pair_rules in sorted(candidates.items())
        for level in range(1, max(r.max_sensitivity for r in pair_rules) + 1)
    ]
    assurance = dict(partnership.agency_assurance_in_force)
    assurance.setdefault(facts.agency_id, facts.assurance_in_force)
    try:
        policies = cedar.compile_rules(rules)
    except cedar.PolicyCompileError as error:
        answers = [cedar.Answer(allowed=False, errors=(str(error),)) for _ in requests]
    else:
        entities = cedar.build_entities(facts, assurance, [(a, c, level) for a, c, level, _ in requests])
        answers = cedar.decide_batch(policies, entities, facts, requests, purpose)
    by_class = {(a, c, level): answer for (a, c, level, _), answer in zip(requests, answers, strict=True)}
    return answers, by_class


def _highest_granted(
    by_class: dict[tuple[int, str, int], cedar.Answer],
    agency_id: int,
    category: str,
    rules_by_id: dict[str, ClauseRule],
) -> tuple[int, ClauseRule | None]:
    """The highest level granted without a gap below it, and the least-redacting clause it rests on."""
    granted_to, relied = 0, None
    for level in range(1, TOP_SENSITIVITY + 1):
        answer = by_class.get((agency_id, category, level))
        if answer is None or not answer.allowed:
            break
        chosen = _least_redacting([rules_by_id[i] for i in answer.policy_ids if i in rules_by_id], category)
        if chosen is None:  # Cedar named a policy we did not compile: do not trust it
            break
        granted_to, relied = level, chosen
    return granted_to, relied


def _grant(agency_id: int, category: str, category_id: int, level: int, relied: ClauseRule) -> Grant:
    return Grant(
        holding_agency_id=agency_id,
        category_code=category,
        category_id=category_id,
        max_sensitivity=level,
        clause_id=relied.policy_id,
        protocol_id=relied.protocol_id,
        protocol_title=relied.protocol_title,
        may_disclose_existence=relied.may_disclose_existence,
        redacted_fields=relied.redactions_for(category),
        retention_days=relied.retention_days,
    )


def _least_redacting(rules: list[ClauseRule], category: str) -> ClauseRule | None:
    if not rules:
        return None
    return min(rules, key=lambda r: (len(r.redactions_for(category)), r.policy_id))
