"""Shared fixtures: a small partnership built with factories."""

import pytest

from iomshare.protocols.decisions import forget_grids
from tests.factories import (
    AgencyFactory,
    AgencyIdentifierFactory,
    CategoryFactory,
    PersonFactory,
    StaffMemberFactory,
)


@pytest.fixture(autouse=True)
def _fresh_decisions():
    """Each test computes its access grids afresh: some replace part of the decision (Cedar) to
    test failure, and a grid remembered from an earlier test with equal facts would hide that."""
    forget_grids()


@pytest.fixture(autouse=True)
def _second_factor_not_required(settings):
    """Signing in within tests: `client.force_login(staff)` gives a signed-in session at once, and
    browser tests sign in with tests.browser.conftest.sign_in (username and password). Outside the
    demo every account must set up a second factor first (partnership.second_factor); tests switch
    that off here so each can sign in simply. Tests of the rule itself use `second_factor_required`.
    """
    settings.IOMSHARE_REQUIRE_SECOND_FACTOR = False


@pytest.fixture(autouse=True)
def _tokens_with_every_scope(settings):
    """API tokens issued in tests without naming scopes may do everything (in production they
    read only): tests of other rules need not name scopes. Scope tests name them explicitly."""
    settings.IOMSHARE_TOKEN_DEFAULT_SCOPES = ("read", "write", "import", "link")


@pytest.fixture(autouse=True)
def _extracts_kept_in_the_test_folder(settings, tmp_path):
    """Bulk extract files go to the test's own folder, never the working tree's var/."""
    settings.IOMSHARE_EXTRACT_DIR = tmp_path / "extracts"


@pytest.fixture
def second_factor_required(settings):
    """The production rule: a signed-in account with no second factor is sent to set one up."""
    settings.IOMSHARE_REQUIRE_SECOND_FACTOR = True


@pytest.fixture
def police(db):
    return AgencyFactory(code="police", name="Northshire Police", kind="police")


@pytest.fixture
def probation(db):
    return AgencyFactory(code="probation", name="Probation Service North", kind="probation")


@pytest.fixture
def officer(police):
    return StaffMemberFactory(username="officer", agency=police, first_name="Priya", last_name="Shah")


@pytest.fixture
def probation_officer(probation):
    return StaffMemberFactory(username="po", agency=probation, first_name="Owen", last_name="Jones")


@pytest.fixture
def person(police, probation):
    """A person both the police and probation know (an identifier each), so their staff may know him
    (people.visibility); tests of who may not know someone make their own person."""
    person = PersonFactory(given_name="Jordan", family_name="Whitlock")
    for agency in (police, probation):
        AgencyIdentifierFactory(person=person, agency=agency, value=f"{agency.code.upper()}-WHITLOCK")
    return person


@pytest.fixture
def accommodation(db):
    return CategoryFactory(code="accommodation")
