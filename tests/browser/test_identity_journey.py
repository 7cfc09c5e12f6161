"""The reviewer's journey: the review queue, a pair side by side, link it, see the history, undo it."""

import pytest

from iomshare.identity import services
from iomshare.identity.models import LinkageModel, ReviewCase
from iomshare.partnership.models import Role
from tests.browser.conftest import assert_accessible, screenshot, sign_in
from tests.factories import TEST_PASSWORD, AgencyFactory, StaffMemberFactory
from tests.identity.conftest import trained_model  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

JORDAN = {
    "given_name": "Jordan",
    "family_name": "Whitlock",
    "date_of_birth": "1990-05-17",
    "sex": "M",
    "postcode": "LS1 4AP",
}


@pytest.fixture
def queue(db, trained_model):  # noqa: F811
    police = AgencyFactory(code="police", name="Northshire Police", kind="police")
    health = AgencyFactory(code="health", name="Northshire Recovery Service", kind="health")
    reviewer = StaffMemberFactory(
        username="iglead", agency=police, role=Role.IG_LEAD, first_name="Imogen", last_name="Grey"
    )
    LinkageModel.objects.create(
        splink_version="5",
        model=trained_model,
        records_trained_on=3000,
        training_seconds=1.0,
        training_steps=["fixture"],
        lower_threshold=0.5,
        upper_threshold=0.95,
    )
    services.receive_record(
        agency=police,
        data={"record_key": "POL-1", **JORDAN, "identifiers": {"pnc": "2012/0012345A"}},
        provenance="police extract",
        match=False,
    )
    services.link_records(by=reviewer)
    arrival = services.receive_record(
        agency=health,
        data={
            "record_key": "GP-1",
            **JORDAN,
            "date_of_birth": "1990-05-28",
            "postcode": "BD5 1AA",
        },
        provenance="GP system",
    )
    assert arrival.outcome == "review", (arrival.outcome, arrival.match_probability)
    return ReviewCase.objects.get()


def test_reviewer_links_a_pair_then_undoes_the_merge(page, queue):
    sign_in(page, "iglead", TEST_PASSWORD)
    page.goto("/identity/")
    assert "1 waiting" in page.get_by_test_id("review-count").inner_text()
    assert_accessible(page)
    screenshot(page, "identity-01-review-queue")

    page.get_by_role("link", name="Review Whitlock and Whitlock").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Are these the same person?"
    evidence = page.get_by_test_id("evidence").inner_text()
    assert "Dates of birth differ in one of day, month or year" in evidence
    assert "evidence for a match (+" in evidence
    assert_accessible(page)
    screenshot(page, "identity-02-side-by-side")

    page.get_by_role("button", name="Record decision").click()
    assert (
        "Select whether the records are the same person" in page.locator(".govuk-error-summary").inner_text()
    )
    assert_accessible(page)
    screenshot(page, "identity-03-decision-errors")

    page.get_by_label("Link them: they are the same person").check()
    page.get_by_label("Certain").check()
    page.get_by_label("Why?").fill("GP confirmed the date of birth was mistyped")
    page.get_by_role("button", name="Record decision").click()
    # Check before linking: what differs between the two, highlighted, and nothing merged yet.
    assert page.get_by_role("heading", level=1).inner_text() == "Link these records as one person?"
    differs = page.get_by_test_id("what-differs").inner_text()
    assert "Date of birth" in differs and "Differs" in differs
    assert_accessible(page)
    screenshot(page, "identity-04a-confirm-merge")
    page.get_by_role("button", name="Yes, link them as one person").click()
    banner = page.get_by_test_id("merged")
    assert "are now one person" in banner.inner_text()
    assert_accessible(page)
    screenshot(page, "identity-04-linked")

    queue.refresh_from_db()
    page.goto(f"/identity/people/{queue.record_a.person_id}/history/")
    assert "merged into" in page.get_by_test_id("merges").inner_text()
    assert_accessible(page)
    screenshot(page, "identity-05-history")

    page.go_back()
    page.get_by_test_id("merged").get_by_role("link", name="undo this merge").click()
    page.get_by_label("Why is the merge wrong?").fill("Different person on the NHS spine")
    screenshot(page, "identity-06-unmerge")
    page.get_by_role("button", name="Undo the merge").click()
    assert "The merge is undone" in page.locator(".govuk-notification-banner").inner_text()
    assert "Undone" in page.get_by_test_id("merges").inner_text()
    screenshot(page, "identity-07-unmerged")

    page.goto("/identity/model/")
    assert "Dates of birth match exactly" in page.get_by_test_id("model-levels").inner_text()
    assert_accessible(page)
    screenshot(page, "identity-08-model")
