"""The protocol editor, end to end: the police IG lead starts the next version from the one in force,
changes a clause (one mistake first, put right from the error summary), reads the difference and
the simulator's effect, and the probation and police IG leads approve it into force."""

import datetime as dt

import pytest
from django.utils import timezone

from iomshare.partnership.models import Role
from iomshare.protocols.models import Protocol, ProtocolStatus
from iomshare.records.models import Sensitivity
from tests.browser.conftest import assert_accessible, reseed_reference_data, screenshot, sign_in
from tests.factories import (
    TEST_PASSWORD,
    AgencyFactory,
    CategoryFactory,
    ClauseDocumentFactory,
    InformationItemFactory,
    PersonFactory,
    ProtocolDocumentFactory,
    StaffMemberFactory,
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
    StaffMemberFactory(
        username="police.ig", agency=police, role=Role.IG_LEAD, first_name="Ida", last_name="Grant"
    )
    StaffMemberFactory(
        username="probation.ig", agency=probation, role=Role.IG_LEAD, first_name="Pat", last_name="Okafor"
    )
    author = StaffMemberFactory(username="po", agency=probation)
    person = PersonFactory(given_name="Jordan", family_name="Whitlock")
    InformationItemFactory(
        person=person,
        holding_agency=probation,
        author=author,
        category=CategoryFactory(code="risk"),
        summary="Risk summary (sensitive)",
        sensitivity=Sensitivity.OFFICIAL_SENSITIVE,
        valid_from=timezone.localdate() - dt.timedelta(days=5),
    )
    return active_protocol(
        ProtocolDocumentFactory(
            title="Northshire IOM core protocol",
            clauses=[
                ClauseDocumentFactory(shared_by="probation", categories=["risk"], max_sensitivity="OFFICIAL")
            ],
        )
    )


def test_draft_edit_see_the_difference_and_approve_by_two_parties(page, partnership):
    current = partnership
    sign_in(page, "police.ig", TEST_PASSWORD)
    page.goto(f"/protocols/{current.pk}/")
    page.get_by_role("button", name="Draft the next version").click()
    page.get_by_text("is drafted as a copy of the version in force").wait_for()
    assert "Nothing yet" in page.get_by_test_id("differences").inner_text()

    page.get_by_role("link", name="Change clause 1").click()
    # A mistake first: probation cannot also receive what it shares.
    page.get_by_label("OFFICIAL-SENSITIVE").check()
    page.get_by_role("group", name="Recipients").get_by_label("Probation Service North").check()
    page.get_by_role("button", name="Save clause 1").click()
    summary = page.get_by_test_id("error-summary")
    assert "cannot also receive" in summary.inner_text()
    assert page.title().startswith("Error:")
    screenshot(page, "protocol-editor-clause-error")
    assert_accessible(page)
    summary.get_by_role("link").first.click()
    page.get_by_role("group", name="Recipients").get_by_label("Probation Service North").uncheck()
    page.get_by_role("button", name="Save clause 1").click()

    differences = page.get_by_test_id("differences").inner_text()
    assert "Shared up to OFFICIAL-SENSITIVE now (was OFFICIAL)" in differences
    changes = page.get_by_test_id("changes").inner_text()
    assert "Practitioners at Northshire Police" in changes and "OFFICIAL-SENSITIVE" in changes
    screenshot(page, "protocol-editor-changes")
    assert_accessible(page)
    draft = Protocol.objects.get(reference=current.reference, status=ProtocolStatus.DRAFT)
    page.get_by_role("link", name="Change the protocol's details").click()
    page.get_by_label("Year").fill("1999")
    page.get_by_role("button", name="Save the details").click()
    assert "review date must be in the future" in page.get_by_test_id("error-summary").inner_text()
    screenshot(page, "protocol-editor-details-error")
    assert_accessible(page)

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, "probation.ig", TEST_PASSWORD)
    assert page.get_by_test_id("protocol-drafts").inner_text() == "1"
    screenshot(page, "protocol-editor-hub-waiting")
    page.goto(f"/protocols/{draft.pk}/")
    page.get_by_role("link", name="Ask for changes").click()
    page.get_by_role("button", name="Send to the drafter").click()
    assert "Enter what should change" in page.get_by_test_id("error-summary").inner_text()
    screenshot(page, "protocol-editor-ask-for-changes-error")
    assert_accessible(page)
    page.goto(f"/protocols/{draft.pk}/")
    page.get_by_role("button", name="Approve for Probation Service North").click()
    page.get_by_text("Your agency's approval is recorded.").wait_for()
    page.goto("/governance/")
    assert page.get_by_test_id("protocol-drafts").inner_text() == "0"

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, "police.ig", TEST_PASSWORD)
    page.goto(f"/protocols/{draft.pk}/")
    page.get_by_role("button", name="Approve for Northshire Police").click()
    page.get_by_text("the protocol is now active").wait_for()
    screenshot(page, "protocol-editor-in-force")
    assert_accessible(page)
    draft.refresh_from_db()
    current.refresh_from_db()
    assert draft.status == ProtocolStatus.ACTIVE and current.status == ProtocolStatus.SUPERSEDED
