"""A small partnership for requests for information: probation asks police for what it cannot see."""

import pytest

from iomshare.partnership.models import Role
from iomshare.records.models import Category
from tests.factories import InformationItemFactory, StaffMemberFactory

JUSTIFICATION = "Assessing risk before a home visit next week; we need to know of any weapons intelligence."


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def police_ig(police):
    return StaffMemberFactory(
        username="police.ig", agency=police, role=Role.IG_LEAD, first_name="Ida", last_name="Grant"
    )


@pytest.fixture
def probation_ig(probation):
    return StaffMemberFactory(username="probation.ig", agency=probation, role=Role.IG_LEAD)


@pytest.fixture
def intelligence_items(police, officer, person):
    """Two police intelligence items about the person, and one police item of another category."""
    intelligence = Category.objects.get(code="intelligence")
    first = InformationItemFactory(
        person=person,
        holding_agency=police,
        author=officer,
        category=intelligence,
        summary="Seen with a knife",
    )
    second = InformationItemFactory(
        person=person,
        holding_agency=police,
        author=officer,
        category=intelligence,
        summary="Associates named",
    )
    InformationItemFactory(
        person=person,
        holding_agency=police,
        author=officer,
        category=Category.objects.get(code="custody"),
        summary="Custody record",
    )
    return [first, second]


def ask(services, by, person, **overrides):
    """Make a request with sensible defaults: probation asks police for intelligence, risk management."""
    values = {
        "holding_agency": "police",
        "category": "intelligence",
        "purpose": "risk_management",
        "legal_gateway": "cda-1998-s115",
        "justification": JUSTIFICATION,
        "urgency": "urgent",
    } | overrides
    return services.make_request(by=by, person=person, **values)
