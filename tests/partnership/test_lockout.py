"""Lockout: five failed attempts lock an account for ten minutes, many from one address lock it;
the sign-in page, /admin/ and API tokens alike; every failure and lock on the ledger."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from iomshare.ledger.models import Action, LedgerEntry
from iomshare.partnership import lockout
from iomshare.partnership.tokens import issue_token
from iomshare.web.govuk_dates import govuk_time
from tests.exchange.conftest import ApiClient
from tests.factories import TEST_PASSWORD, StaffMemberFactory

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def sign_in(client, username, password, address="127.0.0.1"):
    return client.post(reverse("web:sign-in"), {"login": username, "password": password}, REMOTE_ADDR=address)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_five_wrong_passwords_lock_the_account_for_ten_minutes_even_against_the_right_password(
    client, officer
):
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(4):
            response = sign_in(client, "officer", "wrong password")
            assert "The username or password is not right" in response.content.decode()
        response = sign_in(client, "officer", "wrong password")
        assert response.status_code == 400
        page = response.content.decode()
        assert "This account is locked for 10 minutes after 5 failed attempts to sign in" in page
        assert f"Try again after {govuk_time(START + lockout.LOCK_FOR)}" in page

        clock.shift(dt.timedelta(minutes=9, seconds=59))
        response = sign_in(client, "officer", TEST_PASSWORD)
        assert "This account is locked" in response.content.decode()
        assert not signed_in(client)

        clock.shift(dt.timedelta(seconds=2))
        response = sign_in(client, "officer", TEST_PASSWORD)
        assert response.status_code == 302
        assert signed_in(client)


def test_a_lock_is_not_lengthened_by_attempts_during_it(client, officer):
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(5):
            sign_in(client, "officer", "wrong password")
        clock.shift(dt.timedelta(minutes=5))
        for _ in range(5):
            sign_in(client, "officer", "wrong password")
        clock.shift(dt.timedelta(minutes=5, seconds=1))
        assert sign_in(client, "officer", TEST_PASSWORD).status_code == 302


def test_failures_older_than_ten_minutes_do_not_count(client, officer):
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(4):
            sign_in(client, "officer", "wrong password")
        clock.shift(dt.timedelta(minutes=11))
        sign_in(client, "officer", "wrong password")
        assert sign_in(client, "officer", TEST_PASSWORD).status_code == 302


def test_a_username_that_does_not_exist_locks_the_same_way(client, db):
    for _ in range(5):
        response = sign_in(client, "nobody-here", "wrong password")
    assert "This account is locked" in response.content.decode()


def test_the_admin_site_signs_in_through_the_locked_sign_in_page(client, db):
    admin = StaffMemberFactory(username="boss", is_staff=True, is_superuser=True)
    response = client.get("/admin/")
    assert response.status_code == 302
    login_page = client.get(response["Location"])
    assert login_page.status_code == 302 or "Sign in" in login_page.content.decode()
    for _ in range(5):
        sign_in(client, "boss", "wrong password")
    # Any other path through Django's authenticate() (the admin's own form, a test client) is refused too.
    assert not client.login(username="boss", password=TEST_PASSWORD)
    assert client.get("/admin/").status_code == 302
    assert admin.pk


def test_every_failure_and_the_lock_are_on_the_ledger(client, officer):
    for _ in range(6):
        sign_in(client, "officer", "wrong password", address="203.0.113.9")
    failures = LedgerEntry.objects.filter(action=Action.SIGN_IN_FAILED, actor_username="officer")
    assert failures.count() == 6
    lock = LedgerEntry.objects.get(action=Action.ACCOUNT_LOCKED)
    assert lock.actor_username == "officer"
    assert lock.details["locked"] == "account" and lock.details["address"] == "203.0.113.9"


def test_the_owner_is_told_of_failed_attempts_and_the_lock_at_next_sign_in(client, officer):
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(6):
            sign_in(client, "officer", "wrong password")
        clock.shift(dt.timedelta(minutes=11))
        response = client.post(
            reverse("web:sign-in"), {"login": "officer", "password": TEST_PASSWORD}, follow=True
        )
        page = response.content.decode()
        assert "There were 6 failed attempts to sign in to your account since you last signed in" in page
        assert "and it was locked once" in page
        # Told once: the next page does not repeat it.
        assert "failed attempts" not in client.get(reverse("people:cohort")).content.decode()


def test_many_failures_from_one_address_lock_that_address_for_every_username(client, officer):
    for number in range(lockout.ADDRESS_FAILURE_LIMIT):
        sign_in(client, f"guess{number}", "wrong password", address="198.51.100.7")
    response = sign_in(client, "officer", TEST_PASSWORD, address="198.51.100.7")
    assert (
        "Too many failed attempts to sign in have come from your network address" in response.content.decode()
    )
    assert not signed_in(client)
    assert sign_in(client, "officer", TEST_PASSWORD, address="198.51.100.8").status_code == 302
    lock = LedgerEntry.objects.get(action=Action.ACCOUNT_LOCKED, details__contains="network address")
    assert lock.details["address"] == "198.51.100.7"


def test_wrong_api_tokens_lock_the_address_with_a_problem_response(client, officer):
    _token, officer_token = issue_token(for_staff=officer, name="police case system", by=None)
    for _ in range(lockout.ADDRESS_FAILURE_LIMIT):
        wrong = client.get(
            "/api/v1/me", headers={"Authorization": "Bearer iom_" + "B" * 40}, REMOTE_ADDR="192.0.2.5"
        )
        assert wrong.status_code == 401
    # Even the right token is refused from that address until the lock ends.
    response = client.get(
        "/api/v1/me", headers={"Authorization": f"Bearer {officer_token}"}, REMOTE_ADDR="192.0.2.5"
    )
    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    assert "Too many failed attempts" in response.json()["detail"]
    assert ApiClient(client, officer_token).get("/me").status_code == 200


@pytest.mark.parametrize("count", [lockout.ACCOUNT_FAILURE_LIMIT - 1])
def test_wrong_api_tokens_never_lock_an_account(client, officer, count):
    wrong = ApiClient(client, "iom_" + "C" * 40)
    for _ in range(count + 3):
        wrong.get("/me")
    assert sign_in(client, "officer", TEST_PASSWORD).status_code == 302
