"""Property tests: the Cedar-backed access grid agrees with a plain reference, case for case.

Random partnerships (agencies whose assurance may have lapsed), random protocols (clauses with random
recipients, roles, volunteers, training, assurance, consent and sensitivity) and random staff
(volunteers, lapsed or missing training, any vetting, in date or expired) are generated; each policy set is built once per example
and many viewers, purposes and consent states are evaluated against it. The reference below is
written from the rules in docs/protocols.md, not from decisions.py.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from iomshare.partnership.models import AgencyKind, AssuranceLevel, Role, VettingLevel
from iomshare.protocols.decisions import PartnershipFacts, RefusalReason, access_grid, compute_grid
from iomshare.protocols.rules import ClauseRule, ViewerFacts
from iomshare.records.models import Category
from tests.factories import (
    AgencyFactory,
    ClauseDocumentFactory,
    ProtocolDocumentFactory,
    StaffMemberFactory,
    TrainingRecordFactory,
    active_protocol,
)

TOP = 2
CATEGORIES = ["offending", "risk", "accommodation", "health"]
PURPOSES = ["risk_management", "accommodation", "volunteering_placement"]
COURSES = ["information_sharing", "data_protection", "volunteer_confidentiality"]
ROLES = [Role.PRACTITIONER, Role.IG_LEAD, Role.PARTNERSHIP_MANAGER, Role.SYSTEM]
VETTING = [0, 1, 2, 3]  # not vetted, BPSS, NPPV level 2, NPPV level 3 / SC
MINIMUM_CASES = 10_000


# --- the reference: plain Python, one clause at a time -------------------------------------------


@dataclass(frozen=True)
class Viewer:
    staff_id: int
    agency: int
    role: str
    is_volunteer: bool
    courses: frozenset  # courses in date on the day of the test
    vetting: int = 0  # the level recorded
    vetting_expired: bool = False


def reference_cleared(viewer) -> int:
    """docs/protocols.md: OFFICIAL needs no vetting, OFFICIAL-SENSITIVE needs NPPV level 2 or above,
    in date; system accounts are not vetted people and are not capped."""
    if viewer.role == Role.SYSTEM:
        return TOP
    in_force = 0 if viewer.vetting_expired else viewer.vetting
    return 2 if in_force >= 2 else 1


def reference_level(viewer, holder, category, purpose, clauses, assurance, consented) -> int:
    """The highest sensitivity `viewer` may receive, 0 for none; own agency up to their vetting."""
    if holder == viewer.agency:
        return reference_cleared(viewer)
    best = 0
    for clause in clauses:
        if purpose not in clause.purposes or clause.sharing_agency_id != holder:
            continue
        if category not in clause.categories or viewer.agency not in clause.recipient_agency_ids:
            continue
        if viewer.is_volunteer:
            if not clause.volunteers_may_receive:
                continue
        elif viewer.role not in clause.recipient_roles:
            continue
        if not all(course in viewer.courses for course in clause.required_courses):
            continue
        if assurance[viewer.agency] < clause.minimum_assurance:
            continue
        if clause.consent_needed and holder not in consented:
            continue
        best = max(best, clause.max_sensitivity)
    return min(best, reference_cleared(viewer))


def clause_fails(clause, reason, viewer, level, assurance, consented) -> bool:
    """Whether `reason` is really true of `clause` for this viewer (checks an explanation)."""
    if reason == RefusalReason.ROLE_NOT_RECIPIENT:
        return not viewer.is_volunteer and viewer.role not in clause.recipient_roles
    if reason == RefusalReason.VOLUNTEERS_NOT_COVERED:
        return viewer.is_volunteer and not clause.volunteers_may_receive
    if reason == RefusalReason.TRAINING_NOT_CURRENT:
        return not set(clause.required_courses) <= viewer.courses
    if reason in {RefusalReason.ASSURANCE_EXPIRED, RefusalReason.ASSURANCE_BELOW_MINIMUM}:
        return assurance[viewer.agency] < clause.minimum_assurance
    if reason == RefusalReason.TOO_SENSITIVE:
        return clause.max_sensitivity < level
    if reason == RefusalReason.VETTING_TOO_LOW:
        return level > reference_cleared(viewer)
    if reason == RefusalReason.VETTING_EXPIRED:
        return level > reference_cleared(viewer) and viewer.vetting_expired
    if reason == RefusalReason.CONSENT_NOT_RECORDED:
        return clause.consent_needed and clause.sharing_agency_id not in consented
    return False


# --- generated partnerships ------------------------------------------------------------------------


@st.composite
def partnerships(draw):
    n_agencies = draw(st.integers(2, 5))
    agencies = list(range(1, n_agencies + 1))
    # (recorded level, expired?) per agency: expired assurance counts as none.
    assurance_records = {
        a: (draw(st.sampled_from(list(AssuranceLevel))), draw(st.booleans())) for a in agencies
    }
    clauses = []
    for protocol in range(draw(st.integers(0, 3))):
        parties = draw(st.lists(st.sampled_from(agencies), min_size=2, max_size=n_agencies, unique=True))
        purposes = frozenset(draw(st.lists(st.sampled_from(PURPOSES), min_size=1, max_size=2, unique=True)))
        for number in range(1, draw(st.integers(1, 4)) + 1):
            sharer = draw(st.sampled_from(parties))
            others = [p for p in parties if p != sharer]
            named = draw(st.lists(st.sampled_from(others), max_size=len(others), unique=True))
            volunteers = draw(st.booleans())
            roles = draw(st.lists(st.sampled_from(ROLES), max_size=3, unique=True))
            if not roles and not volunteers:
                roles = [Role.PRACTITIONER]
            courses = draw(st.lists(st.sampled_from(COURSES), max_size=2, unique=True))
            if volunteers and not courses:
                courses = ["volunteer_confidentiality"]
            clauses.append(
                ClauseRule(
                    policy_id=f"protocol:p{protocol}:v1:clause:{number}",
                    protocol_id=protocol,
                    protocol_title=f"Protocol {protocol}",
                    purposes=purposes,
                    sharing_agency_id=sharer,
                    recipient_agency_ids=frozenset(named or others),
                    categories=frozenset(
                        draw(st.lists(st.sampled_from(CATEGORIES), min_size=1, max_size=3, unique=True))
                    ),
                    max_sensitivity=draw(st.integers(1, TOP)),
                    recipient_roles=frozenset(roles),
                    volunteers_may_receive=volunteers,
                    required_courses=tuple(sorted(courses)),
                    minimum_assurance=draw(st.integers(1, 4)),
                    consent_needed=draw(st.booleans()),
                    may_disclose_existence=draw(st.booleans()),
                )
            )
    viewers = []
    for staff_id in range(1, draw(st.integers(1, 6)) + 1):
        is_volunteer = draw(st.booleans())
        viewers.append(
            Viewer(
                staff_id=staff_id,
                agency=draw(st.sampled_from(agencies)),
                role=Role.VOLUNTEER if is_volunteer else draw(st.sampled_from(ROLES)),
                is_volunteer=is_volunteer,
                courses=frozenset(draw(st.lists(st.sampled_from(COURSES), max_size=3, unique=True))),
                vetting=draw(st.sampled_from(VETTING)),
                vetting_expired=draw(st.booleans()),
            )
        )
    return agencies, assurance_records, clauses, viewers


def facts_for(viewer: Viewer, assurance_records, day: dt.date) -> ViewerFacts:
    level, expired = assurance_records[viewer.agency]
    lapsed = {c: day - dt.timedelta(days=5) for c in COURSES if c not in viewer.courses}
    return ViewerFacts(
        staff_id=viewer.staff_id,
        agency_id=viewer.agency,
        role=viewer.role,
        is_volunteer=viewer.is_volunteer,
        day=day,
        current_courses=viewer.courses,
        lapsed_courses=lapsed,
        assurance_level=int(level),
        assurance_expires_on=day - dt.timedelta(days=1) if expired else day + dt.timedelta(days=30),
        vetting_level=viewer.vetting,
        vetting_expires_on=day + dt.timedelta(days=-3 if viewer.vetting_expired else 60),
    )


def check_grid(grid, viewer, agencies, clauses, assurance, purpose, consented) -> int:
    """Compare one grid with the reference for every (agency, category); returns cases compared."""
    cases = 0
    by_id = {clause.policy_id: clause for clause in clauses}
    for holder in agencies:
        for category in CATEGORIES:
            expected = reference_level(viewer, holder, category, purpose, clauses, assurance, consented)
            grant = grid.grants.get((holder, category))
            assert (grant.max_sensitivity if grant else 0) == expected, (viewer, holder, category, purpose)
            refusal = grid.refusals.get((holder, category))
            if expected == TOP:
                assert refusal is None
            else:
                assert refusal is not None and refusal.from_sensitivity == expected + 1
                assert refusal.reason != RefusalReason.DECISION_ERROR, refusal.message
                if holder == viewer.agency:
                    assert refusal.clause_id is None
                    assert refusal.reason in {RefusalReason.VETTING_TOO_LOW, RefusalReason.VETTING_EXPIRED}
                    assert grant is not None and grant.clause_id == "own-agency"
                    assert clause_fails(None, refusal.reason, viewer, expected + 1, assurance, consented)
                elif refusal.reason == RefusalReason.NO_PROTOCOL:
                    assert refusal.clause_id is None
                else:
                    named = by_id[refusal.clause_id]
                    assert named.sharing_agency_id == holder and category in named.categories
                    assert clause_fails(named, refusal.reason, viewer, expected + 1, assurance, consented)
            if grant and holder != viewer.agency:
                relied = by_id[grant.clause_id]
                assert relied.max_sensitivity >= grant.max_sensitivity
            cases += 1
    return cases


class TestGridAgreesWithTheReference:
    cases = 0

    def test_cedar_grid_matches_the_plain_reference_on_random_partnerships(self):
        @settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(partnerships(), st.data())
        def run(partnership, data):
            agencies, assurance_records, clauses, viewers = partnership
            assurance = {a: 0 if expired else int(level) for a, (level, expired) in assurance_records.items()}
            facts = PartnershipFacts(
                agency_names={a: f"Agency {a}" for a in agencies},
                categories={code: (i, code.title()) for i, code in enumerate(CATEGORIES, start=1)},
                purpose_names={p: p.replace("_", " ") for p in PURPOSES},
                agency_assurance_in_force=assurance,
            )
            for viewer in viewers:
                for purpose in PURPOSES:
                    consented = frozenset(data.draw(st.lists(st.sampled_from(agencies), unique=True)))
                    grid = compute_grid(
                        facts_for(viewer, assurance_records, timezone.localdate()),
                        purpose,
                        clauses,
                        facts,
                        consented_sources=consented,
                    )
                    type(self).cases += check_grid(
                        grid, viewer, agencies, clauses, assurance, purpose, consented
                    )

        run()
        print(f"{type(self).cases} cases compared")
        assert type(self).cases >= MINIMUM_CASES, type(self).cases


# --- the same, end to end through the database: models, YAML, training and assurance records -------


@st.composite
def database_partnerships(draw):
    clauses = []
    for _ in range(draw(st.integers(1, 3))):
        sharer = draw(st.sampled_from(["alpha", "beta", "gamma"]))
        volunteers = draw(st.booleans())
        clauses.append(
            {
                "shared_by": sharer,
                "categories": draw(
                    st.lists(st.sampled_from(CATEGORIES), min_size=1, max_size=2, unique=True)
                ),
                "max_sensitivity": draw(st.sampled_from(["OFFICIAL", "OFFICIAL-SENSITIVE"])),
                "recipient_roles": draw(
                    st.lists(st.sampled_from(ROLES), min_size=1, max_size=2, unique=True)
                ),
                "conditions": {
                    "training": draw(
                        st.lists(st.sampled_from(COURSES), min_size=int(volunteers), max_size=2, unique=True)
                    ),
                    "volunteers_may_receive": volunteers,
                    "minimum_assurance": draw(
                        st.sampled_from(["self_assessed", "cyber_essentials", "accredited"])
                    ),
                },
            }
        )
    staff = [
        {
            "agency": draw(st.sampled_from(["alpha", "beta", "gamma"])),
            "volunteer": draw(st.booleans()),
            "role": draw(st.sampled_from(ROLES)),
            # days from the test's day on which each course expires: negative means lapsed
            "training": draw(st.dictionaries(st.sampled_from(COURSES), st.integers(-30, 30), max_size=3)),
            # (level, days from the test's day on which it expires)
            "vetting": (draw(st.sampled_from(VETTING)), draw(st.integers(-30, 30))),
        }
        for _ in range(draw(st.integers(1, 4)))
    ]
    assurance = {
        code: (draw(st.sampled_from(list(AssuranceLevel)[1:])), draw(st.integers(-10, 10)))
        for code in ["alpha", "beta", "gamma"]
    }
    return clauses, staff, assurance


def build_database_partnership(partnership, day: dt.date):
    """Make a generated partnership in the database: (agencies, members, viewers, clauses, assurance).

    `viewers` are the reference's plain view of `members`; `clauses` are built from the documents
    themselves, not from the stored clauses.
    """
    clause_documents, staff_specs, assurance_specs = partnership
    members, viewers = [], []
    agencies = {
        code: AgencyFactory(
            code=code,
            name=f"Agency {code}",
            kind=AgencyKind.VCS if code == "gamma" else AgencyKind.POLICE,
            assurance_level=level,
            assurance_expires_on=day + dt.timedelta(days=offset),
        )
        for code, (level, offset) in assurance_specs.items()
    }
    protocol = active_protocol(
        ProtocolDocumentFactory(
            owner="alpha",
            parties=["alpha", "beta", "gamma"],
            purposes=["risk_management"],
            review_on=day + dt.timedelta(days=90),
            clauses=[ClauseDocumentFactory(**c) for c in clause_documents],
        )
    )
    # The reference reads the documents themselves, not the stored clauses.
    levels = {"OFFICIAL": 1, "OFFICIAL-SENSITIVE": 2}
    minimums = {"self_assessed": 1, "cyber_essentials": 2, "accredited": 4}
    clauses = [
        ClauseRule(
            policy_id=f"protocol:{protocol.reference}:v1:clause:{number}",
            protocol_id=protocol.pk,
            protocol_title=protocol.title,
            purposes=frozenset({"risk_management"}),
            sharing_agency_id=agencies[c["shared_by"]].pk,
            recipient_agency_ids=frozenset(a.pk for code, a in agencies.items() if code != c["shared_by"]),
            categories=frozenset(c["categories"]),
            max_sensitivity=levels[c["max_sensitivity"]],
            recipient_roles=frozenset(c["recipient_roles"]),
            volunteers_may_receive=c["conditions"]["volunteers_may_receive"],
            required_courses=tuple(c["conditions"]["training"]),
            minimum_assurance=minimums[c["conditions"]["minimum_assurance"]],
            consent_needed=False,
            may_disclose_existence=True,
        )
        for number, c in enumerate(clause_documents, start=1)
    ]
    assurance = {a.pk: int(a.assurance_on(day)) for a in agencies.values()}
    for spec in staff_specs:
        vetting, vetting_offset = spec["vetting"]
        member = StaffMemberFactory(
            agency=agencies[spec["agency"]],
            role=Role.VOLUNTEER if spec["volunteer"] else spec["role"],
            is_volunteer=spec["volunteer"],
            vetting_level=VettingLevel(vetting),
            vetting_expires_on=day + dt.timedelta(days=vetting_offset),
        )
        for course, offset in spec["training"].items():
            expires_on = day + dt.timedelta(days=offset)
            TrainingRecordFactory(
                staff_member=member,
                course=course,
                completed_on=expires_on - dt.timedelta(days=365),
                expires_on=expires_on,
            )
        viewer = Viewer(
            staff_id=member.pk,
            agency=member.agency_id,
            role=member.role,
            is_volunteer=spec["volunteer"],
            courses=frozenset(c for c, offset in spec["training"].items() if offset >= 0),
            vetting=vetting,
            vetting_expired=vetting_offset < 0,
        )
        members.append(member)
        viewers.append(viewer)
    return agencies, members, viewers, clauses, assurance


class TestDatabaseGridAgreesWithTheReference(TestCase):
    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(database_partnerships())
    def test_access_grid_from_models_matches_the_reference(self, partnership):
        day = timezone.localdate()
        agencies, members, viewers, clauses, assurance = build_database_partnership(partnership, day)
        for member, viewer in zip(members, viewers, strict=True):
            grid = access_grid(member, "risk_management", on=day)
            all_agencies = [a.pk for a in agencies.values()]
            assert set(Category.objects.filter(code__in=CATEGORIES).values_list("code", flat=True)) == set(
                CATEGORIES
            )
            check_grid(grid, viewer, all_agencies, clauses, assurance, "risk_management", frozenset())
