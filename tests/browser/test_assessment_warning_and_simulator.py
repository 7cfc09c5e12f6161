"""The duplicate-assessment warning names what the viewer may see for their purpose and counts what
is withheld; the protocol simulator shows what a draft changes for each purpose."""

import datetime as dt

import pytest
from django.utils import timezone

from iomshare.partnership.models import Role
from iomshare.protocols import services
from iomshare.protocols.models import Purpose
from iomshare.records.models import Sensitivity
from tests.browser.conftest import assert_accessible, reseed_reference_data, screenshot, sign_in
from tests.factories import (
    TEST_PASSWORD,
    AgencyFactory,
    CategoryFactory,
    ClauseDocumentFactory,
    CohortMembershipFactory,
    InformationItemFactory,
    PersonFactory,
    ProtocolDocumentFactory,
    StaffMemberFactory,
    TrainingRecordFactory,
    active_protocol,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def partnership(db, settings, tmp_path):
    settings.LEDGER_SIGNING_KEY_FILE = str(tmp_path / "keys" / "ledger_signing_key.pem")
    settings.LEDGER_TRUSTED_KEYS_DIR = str(tmp_path / "keys" / "trusted")
    reseed_reference_data()
    police = AgencyFactory(code="police", name="Northshire Police", kind="police")
    probation = AgencyFactory(code="probation", name="Probation Service North", kind="probation")
    officer = StaffMemberFactory(username="officer", agency=police, first_name="Priya", last_name="Shah")
    TrainingRecordFactory(staff_member=officer, course="information_sharing")
    StaffMemberFactory(
        username="police.ig", agency=police, role=Role.IG_LEAD, first_name="Ida", last_name="Grant"
    )
    po = StaffMemberFactory(username="po", agency=probation, first_name="Owen", last_name="Jones")
    person = PersonFactory(given_name="Jordan", family_name="Whitlock")
    CohortMembershipFactory(person=person, lead_agency=police)
    protocol = active_protocol(
        ProtocolDocumentFactory(
            title="Northshire IOM core protocol",
            clauses=[
                ClauseDocumentFactory(shared_by="probation", categories=["risk"], max_sensitivity="OFFICIAL")
            ],
        )
    )
    for summary, sensitivity in (
        ("Risk summary: medium risk of serious harm", Sensitivity.OFFICIAL),
        ("Risk summary (sensitive)", Sensitivity.OFFICIAL_SENSITIVE),
    ):
        InformationItemFactory(
            person=person,
            holding_agency=probation,
            author=po,
            category=CategoryFactory(code="risk"),
            summary=summary,
            sensitivity=sensitivity,
            valid_from=timezone.localdate() - dt.timedelta(days=20),
            payload={"form": "risk_summary", "version": 1, "answers": {"rosh_level": "medium"}},
        )
    return {"person": person, "protocol": protocol}


def test_the_warning_names_what_the_police_may_see_and_counts_what_probation_withholds(page, partnership):
    person = partnership["person"]
    sign_in(page, "officer", TEST_PASSWORD)
    page.goto(f"/cohort/people/{person.pk}/?purpose=risk_management")
    page.get_by_role("link", name="Fill in a standard form").click()
    page.get_by_label("Risk summary").check()
    page.get_by_role("button", name="Continue").click()
    warning = page.get_by_test_id("earlier-assessments").inner_text()
    assert "Probation Service North: Risk summary: medium risk of serious harm" in warning
    assert "1 risk summary held by Probation Service North" in warning
    assert "(sensitive)" not in warning
    screenshot(page, "assessment-warning-01-for-risk-management")
    assert_accessible(page)
    page.get_by_role("link", name="ask Probation Service North for it").click()
    assert page.get_by_label("Agency that holds it").input_value() == "probation"


def test_the_simulator_shows_what_adding_a_purpose_opens_for_it(page, partnership):
    draft = services.new_version(partnership["protocol"], by=None)
    draft.purposes.add(Purpose.objects.get(code="accommodation"))
    sign_in(page, "police.ig", TEST_PASSWORD)
    page.goto(f"/protocols/{draft.pk}/simulate/")
    changes = page.get_by_test_id("changes").inner_text()
    assert "Accommodation pathway" in changes and "Risk management" not in changes
    screenshot(page, "simulator-01-per-purpose")
    assert_accessible(page)
