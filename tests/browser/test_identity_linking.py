"""Linking started from the identity pages: the button, progress while it runs, the outcome, and a
second press refused while a run is linking."""

import pytest
from django.db import connection
from playwright.sync_api import expect

from iomshare.identity import services
from iomshare.identity.models import LinkageModel, LinkageRun, RunStatus
from iomshare.partnership.models import Role
from tests.browser.conftest import assert_accessible, screenshot, sign_in
from tests.factories import TEST_PASSWORD, AgencyFactory, StaffMemberFactory
from tests.identity.conftest import trained_model  # noqa: F401
from tests.jobs.conftest import worker_db  # noqa: F401 (the worker as its own process)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

JORDAN = {
    "given_name": "Jordan",
    "family_name": "Whitlock",
    "date_of_birth": "1990-05-17",
    "sex": "M",
    "postcode": "LS1 4AP",
}
FINISHED = '[data-testid="link-run-status"][data-status="finished"]'


@pytest.fixture
def arrived(db, trained_model):  # noqa: F811
    """Four records received from four agencies and not yet linked, and a saved model."""
    agencies = {
        code: AgencyFactory(code=code, name=name, kind=code)
        for code, name in [
            ("police", "Northshire Police"),
            ("probation", "Probation Service – Northshire"),
            ("health", "Northshire Recovery Service"),
            ("council", "Northshire Council Housing Options"),
        ]
    }
    StaffMemberFactory(
        username="manager",
        agency=agencies["council"],
        role=Role.PARTNERSHIP_MANAGER,
        first_name="Mo",
        last_name="Patel",
    )
    StaffMemberFactory(
        username="iglead", agency=agencies["police"], role=Role.IG_LEAD, first_name="Imogen", last_name="Grey"
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
    for agency, key, fields in [
        ("police", "POL-1", {**JORDAN, "identifiers": {"pnc": "2012/0012345A"}}),
        ("probation", "CRN-1", {**JORDAN, "given_name": "JORDAN"}),
        ("health", "GP-1", {**JORDAN, "date_of_birth": "1990-05-28", "postcode": "BD5 1AA"}),
        ("council", "HOU-1", {"given_name": "Aisha", "family_name": "Khan", "date_of_birth": "1985-01-02"}),
    ]:
        services.receive_record(
            agency=agencies[agency], data={"record_key": key, **fields}, provenance="extract", match=False
        )
    return agencies


def test_a_partnership_manager_links_new_records_and_sees_what_linking_did(
    page,
    arrived,
    settings,
    worker_db,  # noqa: F811
):
    # On PostgreSQL a job run by `iomshare worker` in its own process, as deployed; pytest-django's
    # in-memory SQLite cannot be shared with another process, so there the run is done in the request.
    settings.IOMSHARE_LINKING_IN_BACKGROUND = connection.vendor != "sqlite"
    if settings.IOMSHARE_LINKING_IN_BACKGROUND:
        worker_db.start_worker()
    sign_in(page, "manager", TEST_PASSWORD)
    page.goto("/identity/")
    expect(page.get_by_role("heading", name="Link new records")).to_be_visible()
    assert "0 waiting" in page.get_by_test_id("review-count").inner_text()
    assert_accessible(page)
    screenshot(page, "identity-linking-01-queue-with-button")

    page.get_by_role("button", name="Link new records").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Linking records"
    page.wait_for_selector(FINISHED, timeout=60_000)
    outcome = page.get_by_test_id("link-run-outcome").inner_text()
    assert "2 records joined to the same person as another record" in outcome
    assert "2 pairs of records that may be the same person" in outcome
    assert "0 groups of records that conflict" in outcome
    assert "Started" in page.locator(".govuk-caption-l").inner_text()
    assert "by Mo Patel" in page.locator(".govuk-caption-l").inner_text()
    assert_accessible(page)
    screenshot(page, "identity-linking-02-finished")

    run = LinkageRun.objects.get()
    assert (run.status, run.started_by.username, run.people_created) == (RunStatus.FINISHED, "manager", 3)
    assert LinkageModel.objects.count() == 1  # the saved model, not retrained

    page.get_by_role("button", name="Review the records").click()
    assert "2 waiting" in page.get_by_test_id("review-count").inner_text()


def test_progress_updates_itself_and_a_second_press_is_refused(page, arrived):
    manager = arrived["council"].staff.get(username="manager")
    run = services.start_linking(by=manager)
    LinkageRun.objects.filter(pk=run.pk).update(step="Resolving people", step_done=1, step_total=4)

    sign_in(page, "iglead", TEST_PASSWORD)
    page.goto("/identity/")
    assert "is still running" in page.get_by_test_id("linking-now").inner_text()
    page.get_by_role("button", name="Link new records").click()
    assert page.url.endswith(f"/identity/runs/{run.pk}/")
    problem = page.get_by_test_id("problem").inner_text()
    assert problem.startswith("Linking is already running: it was started by Mo Patel at ")
    assert "Wait for it to finish" in problem
    assert page.get_by_test_id("link-run-step").inner_text() == "Resolving people: 1 of 4"
    assert page.locator("progress#link-run-progress").get_attribute("value") == "1"
    assert LinkageRun.objects.count() == 1
    assert_accessible(page)
    screenshot(page, "identity-linking-03-refused-while-running")

    # The run carries on and finishes; the page, polling its status panel, shows the outcome
    # without being reloaded.
    services.carry_on_linking(LinkageRun.objects.get(pk=run.pk))
    page.wait_for_selector(FINISHED, timeout=15_000)
    assert "2 pairs of records" in page.get_by_test_id("link-run-outcome").inner_text()
    assert page.url.endswith(f"/identity/runs/{run.pk}/")
    assert_accessible(page)
    screenshot(page, "identity-linking-04-finished-by-polling")
