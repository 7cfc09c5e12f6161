"""Sign-in as a person meets it: the lockout message, the timeout warning, enrolling a second factor
and signing in with each factor (TOTP, recovery code, a WebAuthn key in a virtual authenticator)."""

import pytest
from playwright.sync_api import expect

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


def _current_code(secret: str) -> str:
    import time

    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def test_first_sign_in_enrols_an_authenticator_app_and_shows_recovery_codes(page, officer, settings):
    settings.IOMSHARE_REQUIRE_SECOND_FACTOR = True
    sign_in(page, "officer", TEST_PASSWORD)
    page.wait_for_url("**/account/second-factor/")
    assert_accessible(page)
    screenshot(page, "enrol-choose-second-factor")
    page.get_by_role("button", name="Set up an authenticator app").click()
    secret = page.locator("#authenticator_secret").input_value()
    assert len(secret) == 32
    assert_accessible(page)
    screenshot(page, "enrol-authenticator-app")
    page.get_by_label("Authenticator code").fill(_current_code(secret))
    page.get_by_role("button", name="Activate").click()
    page.wait_for_url("**/accounts/2fa/recovery-codes/")
    codes = page.locator("#recovery_codes").input_value().split()
    assert len(codes) == 10
    assert_accessible(page)
    screenshot(page, "enrol-recovery-codes")
    page.goto("/cohort/")
    expect(page.get_by_role("heading", name="Cohort")).to_be_visible()


def test_signing_in_with_an_authenticator_app_code(page, officer, settings):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    settings.IOMSHARE_REQUIRE_SECOND_FACTOR = True
    secret = generate_totp_secret()
    TOTP.activate(officer, secret)
    sign_in(page, "officer", TEST_PASSWORD)
    page.wait_for_url("**/accounts/2fa/authenticate/")
    assert_accessible(page)
    screenshot(page, "sign-in-authenticator-code")
    page.get_by_label("Code").fill(_current_code(secret))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/cohort/mine/")
    assert page.get_by_test_id("signed-in-as").inner_text() == "Priya Shah, Northshire Police"


def test_a_security_key_is_added_and_signs_in_with_a_virtual_authenticator(page, officer, settings):
    settings.IOMSHARE_REQUIRE_SECOND_FACTOR = True
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    sign_in(page, "officer", TEST_PASSWORD)
    page.wait_for_url("**/account/second-factor/")
    page.get_by_role("button", name="Set up a security key").click()
    page.get_by_label("Name").fill("Blue YubiKey")
    assert_accessible(page)
    screenshot(page, "enrol-security-key")
    page.get_by_role("button", name="Add").click()
    page.wait_for_url(lambda url: "/webauthn/add" not in url)
    from allauth.mfa.models import Authenticator

    assert Authenticator.objects.filter(user=officer, type=Authenticator.Type.WEBAUTHN).count() == 1
    page.context.clear_cookies()

    sign_in(page, "officer", TEST_PASSWORD)
    page.wait_for_url("**/accounts/2fa/authenticate/")
    screenshot(page, "sign-in-security-key")
    page.get_by_role("button", name="Use a security key").click()
    page.wait_for_url("**/cohort/mine/")
    assert page.get_by_test_id("signed-in-as").inner_text() == "Priya Shah, Northshire Police"


def test_the_account_page_and_changing_the_password(page, officer):
    sign_in(page, "officer", TEST_PASSWORD)
    page.get_by_role("link", name="Your account").click()
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    assert "Signed in" in page.get_by_test_id("recent-sign-ins").inner_text()
    assert "This browser" in page.get_by_test_id("active-sessions").inner_text()
    assert_accessible(page)
    screenshot(page, "account-page")
    page.get_by_role("link", name="Change your password").click()
    page.get_by_label("Current Password").fill(TEST_PASSWORD)
    page.get_by_label("New Password", exact=True).fill("password1234")
    page.get_by_label("New Password (again)").fill("password1234")
    page.get_by_role("button", name="Change Password").click()
    assert "This password is too common." in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)
    screenshot(page, "change-password-refused")
