"""Second factors: enrolment at first sign-in, TOTP and recovery codes end to end, wrong codes count
towards lockout, and an administrator's reset with a reason on the ledger."""

import datetime as dt
import re

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.test import Client
from django.urls import reverse

from iomshare.ledger.models import Action, LedgerEntry
from iomshare.partnership.models import Role
from tests.factories import TEST_PASSWORD, AgencyFactory, StaffMemberFactory

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def code_for(secret: str) -> str:
    """The TOTP code an authenticator app would show now (allauth's own RFC 6238 arithmetic)."""
    import time

    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def sign_in(client, username="officer", password=TEST_PASSWORD):
    return client.post(reverse("web:sign-in"), {"login": username, "password": password})


def enrol_totp(client) -> tuple[str, list[str]]:
    """Set up an authenticator app through the pages; returns its secret and the recovery codes shown."""
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200, (page.status_code, page.get("Location"))
    secret = page.context["form"].secret
    response = client.post(reverse("mfa_activate_totp"), {"code": code_for(secret)})
    assert response.status_code == 302, response.content.decode()[-2000:]
    codes_page = client.get(response["Location"]).content.decode()
    codes = re.findall(r"\b[0-9a-f]{8}\b", codes_page)
    return secret, codes


@pytest.mark.usefixtures("second_factor_required")
def test_an_account_without_a_second_factor_must_set_one_up_before_anything_else(client, officer, person):
    client.force_login(officer)
    for url in (reverse("people:cohort"), reverse("people:person", args=[person.id]), "/admin/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == reverse(
            "partnership:set-up-second-factor"
        )
    page = client.get(reverse("partnership:set-up-second-factor")).content.decode()
    assert "You need to do this before you can see any information" in page
    # Setting one up asks for the password again first (a signed-in browser left unattended).
    assert client.get(reverse("mfa_activate_totp"))["Location"].startswith(reverse("account_reauthenticate"))
    assert client.get(reverse("account_reauthenticate")).status_code == 200


@pytest.mark.usefixtures("second_factor_required")
def test_totp_enrolment_then_sign_in_asks_for_the_code_and_a_recovery_code_works_once(officer):
    browser = Client()
    with time_machine.travel(START, tick=False) as clock:
        assert sign_in(browser)["Location"] == reverse("people:caseload")
        assert browser.get(reverse("people:cohort"))["Location"] == reverse(
            "partnership:set-up-second-factor"
        )
        secret, recovery_codes = enrol_totp(browser)
        assert len(recovery_codes) == 10
        assert browser.get(reverse("people:cohort")).status_code == 200
        assert LedgerEntry.objects.filter(
            action=Action.SECOND_FACTOR_CHANGED, actor_username="officer"
        ).exists()
        browser.post(reverse("web:sign-out"))

        clock.shift(dt.timedelta(minutes=1))
        response = sign_in(browser)
        assert response["Location"] == reverse("mfa_authenticate")
        assert "_auth_user_id" not in browser.session  # the password alone does not sign in
        assert browser.get(reverse("people:cohort")).status_code == 302
        wrong = browser.post(reverse("mfa_authenticate"), {"code": "000000"})
        assert "Incorrect code" in wrong.content.decode()
        right = browser.post(reverse("mfa_authenticate"), {"code": code_for(secret)})
        assert right.status_code == 302 and "_auth_user_id" in browser.session
        browser.post(reverse("web:sign-out"))

        clock.shift(dt.timedelta(minutes=1))
        sign_in(browser)
        assert browser.post(reverse("mfa_authenticate"), {"code": recovery_codes[0]}).status_code == 302
        assert "_auth_user_id" in browser.session
        browser.post(reverse("web:sign-out"))
        sign_in(browser)
        reused = browser.post(reverse("mfa_authenticate"), {"code": recovery_codes[0]})
        assert reused.status_code == 200 and "_auth_user_id" not in browser.session


@pytest.mark.usefixtures("second_factor_required")
def test_five_wrong_codes_lock_the_account_and_are_on_the_ledger(officer):
    browser = Client()
    sign_in(browser)
    enrol_totp(browser)
    browser.post(reverse("web:sign-out"))
    sign_in(browser)
    for _ in range(5):
        response = browser.post(reverse("mfa_authenticate"), {"code": "123456"})
    assert "This account is locked" in response.content.decode()
    wrong_codes = LedgerEntry.objects.filter(action=Action.SIGN_IN_FAILED, actor_username="officer")
    assert [e.details["channel"] for e in wrong_codes] == ["second factor"] * 5
    assert LedgerEntry.objects.filter(action=Action.ACCOUNT_LOCKED, actor_username="officer").count() == 1


@pytest.fixture
def police_admin(officer):
    return StaffMemberFactory(username="police.admin", agency=officer.agency, role=Role.ADMIN)


def _with_a_factor(staff):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(staff, generate_totp_secret())


def test_an_administrator_resets_a_second_factor_with_a_reason_on_the_ledger(client, officer, police_admin):
    _with_a_factor(officer)
    officers_browser = Client()
    officers_browser.force_login(officer)
    client.force_login(police_admin)
    url = reverse("partnership:reset-second-factor", args=[officer.pk])
    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 400 and "Enter the reason for the reset" in refused.content.decode()
    assert Authenticator.objects.filter(user=officer).exists()

    client.post(url, {"reason": "lost phone, identity checked in person by her sergeant"})
    assert not Authenticator.objects.filter(user=officer).exists()
    entry = LedgerEntry.objects.get(action=Action.SECOND_FACTOR_RESET)
    assert entry.actor_username == "police.admin"
    assert entry.details["staff_member"] == "officer"
    assert entry.details["reason"] == "lost phone, identity checked in person by her sergeant"
    # Her sessions ended: whoever has her phone (or her browser) is signed out.
    assert officers_browser.get(reverse("people:cohort")).status_code == 302


def test_only_an_administrator_of_the_same_agency_may_reset_a_second_factor(
    client, officer, probation_officer
):
    _with_a_factor(officer)
    other_admin = StaffMemberFactory(
        username="probation.admin", agency=probation_officer.agency, role=Role.ADMIN
    )
    url = reverse("partnership:reset-second-factor", args=[officer.pk])
    for who in (probation_officer, other_admin):
        client.force_login(who)
        assert client.post(url, {"reason": "lost phone, checked in person"}).status_code == 403
    client.force_login(officer)
    assert client.post(url, {"reason": "lost phone, checked in person"}).status_code == 403
    assert Authenticator.objects.filter(user=officer).exists()


def test_a_superuser_can_reset_any_agencys_second_factor(client, officer):
    _with_a_factor(officer)
    root = StaffMemberFactory(
        username="root", agency=AgencyFactory(code="hub"), is_superuser=True, is_staff=True
    )
    client.force_login(root)
    client.post(reverse("partnership:reset-second-factor", args=[officer.pk]), {"reason": "left the service"})
    assert not Authenticator.objects.filter(user=officer).exists()
