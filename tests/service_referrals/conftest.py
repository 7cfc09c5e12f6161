"""A small partnership for referrals to services: probation refers to the charity's volunteering.

Probation leads the person's cohort membership and shares interventions (OFFICIAL) with the charity
for volunteering placements; its risk items are shared with no one, so the door refuses them.
"""

import pytest

from iomshare.partnership.models import Role
from iomshare.records.models import Category, Sensitivity
from iomshare.service_referrals import services
from tests.factories import (
    AgencyFactory,
    CohortMembershipFactory,
    InformationItemFactory,
    StaffMemberFactory,
    TrainingRecordFactory,
    active_protocol,
)

REASON = "Wants to work towards a job in catering; a placement would give structure."


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def charity(db):
    return AgencyFactory(code="charity", name="Second Chance Mentoring", kind="vcs", is_statutory=False)


def _trained(member):
    TrainingRecordFactory(staff_member=member, course="information_sharing")
    return member


@pytest.fixture
def coordinator(charity):
    return _trained(
        StaffMemberFactory(username="coordinator", agency=charity, first_name="Cara", last_name="Dunn")
    )


@pytest.fixture
def charity_manager(charity):
    return _trained(StaffMemberFactory(username="charity.ig", agency=charity, role=Role.IG_LEAD))


@pytest.fixture
def charity_volunteer(charity):
    return _trained(
        StaffMemberFactory(username="charity.vol", agency=charity, role=Role.VOLUNTEER, is_volunteer=True)
    )


@pytest.fixture
def practitioner(probation):
    return _trained(StaffMemberFactory(username="po", agency=probation, first_name="Owen", last_name="Jones"))


@pytest.fixture
def volunteering_protocol(probation, charity):
    return active_protocol(
        owner="probation",
        parties=["charity", "probation"],
        purposes=["volunteering_placement"],
        clauses=[
            {
                "shared_by": "probation",
                "categories": ["intervention"],
                "max_sensitivity": "OFFICIAL",
                "recipients": ["charity"],
                "recipient_roles": ["practitioner", "ig_lead"],
                "conditions": {"training": ["information_sharing"], "minimum_assurance": "self_assessed"},
            }
        ],
    )


@pytest.fixture
def referred(person, probation, practitioner):
    """The person, in the cohort led by probation."""
    CohortMembershipFactory(person=person, lead_agency=probation)
    return person


@pytest.fixture
def items(referred, probation, practitioner):
    """Probation's intervention (shareable with the charity), its sensitive one and a risk item (not)."""
    make = lambda code, summary, level=Sensitivity.OFFICIAL: InformationItemFactory(  # noqa: E731
        person=referred,
        holding_agency=probation,
        author=practitioner,
        category=Category.objects.get(code=code),
        sensitivity=level,
        summary=summary,
    )
    return {
        "intervention": make("intervention", "Completed a thinking skills programme"),
        "sensitive": make("intervention", "Sensitive programme note", Sensitivity.OFFICIAL_SENSITIVE),
        "risk": make("risk", "Risk of harm to staff: medium"),
    }


@pytest.fixture
def volunteering(charity, charity_manager, coordinator, volunteering_protocol):
    return services.offer_service(
        by=charity_manager,
        name="Volunteering placements",
        kind="volunteering",
        purpose="volunteering_placement",
        contact=coordinator,
        description="Placements with local food banks and community gardens.",
    )


@pytest.fixture
def referral(volunteering, practitioner, referred, items):
    return services.refer_to_service(
        by=practitioner,
        person=referred,
        service=volunteering,
        reason=REASON,
        item_ids=[items["intervention"].pk],
    )
