"""The demo agencies' codes mapped, with the deliberate conflicts ("DA" and the charity's "DNA")."""

import pytest

from iomshare.demo.local_terms import load_demo_local_terms
from iomshare.partnership.models import Role
from tests.factories import AgencyFactory, StaffMemberFactory


@pytest.fixture
def council(db):
    return AgencyFactory(code="council", name="Northshire Council Housing Options", kind="council")


@pytest.fixture
def charity(db):
    return AgencyFactory(code="charity", name="Second Chance Mentoring", kind="vcs", is_statutory=False)


@pytest.fixture
def mapped(police, probation, council, charity):
    load_demo_local_terms()
    return {"police": police, "probation": probation, "council": council, "charity": charity}


@pytest.fixture
def police_ig(police):
    return StaffMemberFactory(username="police.ig", agency=police, role=Role.IG_LEAD)
