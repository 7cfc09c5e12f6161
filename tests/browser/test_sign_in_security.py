"""Sign-in as a person meets it: the lockout message, the timeout warning, enrolling a second factor
and signing in with each factor (TOTP, recovery code, a WebAuthn key in a virtual authenticator)."""

import pytest

from tests.browser.conftest import assert_accessible, screenshot, sign_in
from tests.factories import TEST_PASSWORD, AgencyFactory, StaffMemberFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def officer(db):
    police = AgencyFactory(code="police", name="Northshire Police", kind="police")
    return StaffMemberFactory(username="officer", agency=police, first_name="Priya", last_name="Shah")


def test_the_fifth_wrong_password_shows_the_lockout_message(page, officer):
    for _ in range(5):
        sign_in(page, "officer", "not the password")
    summary = page.locator(".govuk-error-summary")
    assert "This account is locked for 10 minutes after 5 failed attempts to sign in" in summary.inner_text()
    assert_accessible(page)
    screenshot(page, "sign-in-locked")
    sign_in(page, "officer", TEST_PASSWORD)
    assert "This account is locked" in page.locator(".govuk-error-summary").inner_text()


def test_the_timeout_warning_appears_before_the_idle_limit_and_staying_signed_in_keeps_the_session(
    page, officer, settings
):
    settings.IOMSHARE_SESSION_IDLE_SECONDS = 124
    settings.IOMSHARE_SESSION_WARNING_SECONDS = 120
    sign_in(page, "officer", TEST_PASSWORD)
    dialog = page.get_by_role("dialog", name="You’re about to be signed out")
    dialog.wait_for(state="visible", timeout=15_000)
    assert "we will sign you out in" in dialog.inner_text()
    assert_accessible(page)
    screenshot(page, "timeout-warning")
    page.get_by_role("button", name="Stay signed in").click()
    dialog.wait_for(state="hidden")
    status = page.request.get("/account/session/", headers={"Accept": "application/json"}).json()
    assert status["signed_in"] and status["seconds_left"] > 118
