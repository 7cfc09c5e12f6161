"""Account pages: change one's password (Django's validators, the common-passwords list included),
see one's recent sign-ins, and where second factors are set up or replaced."""

from django.test import Client
from django.urls import reverse

from iomshare.ledger.models import Action, LedgerEntry
from tests.factories import TEST_PASSWORD

NEW_PASSWORD = "a long and unusual phrase 7431"


def change(client, old, new, again=None):
    return client.post(
        reverse("account_change_password"), {"oldpassword": old, "password1": new, "password2": again or new}
    )


def test_a_common_or_short_password_is_refused_with_the_reason(client, officer):
    client.force_login(officer)
    common = change(client, TEST_PASSWORD, "password1234")
    assert "This password is too common." in common.content.decode()
    short = change(client, TEST_PASSWORD, "k8#tQ")
    assert "This password is too short. It must contain at least 12 characters." in short.content.decode()
    wrong_old = change(client, "not my password", NEW_PASSWORD)
    assert wrong_old.status_code == 200 and "govuk-error-summary" in wrong_old.content.decode()
    officer.refresh_from_db()
    assert officer.check_password(TEST_PASSWORD)


def test_changing_the_password_ends_every_other_session_and_is_on_the_ledger(officer):
    here, elsewhere = Client(), Client()
    here.post(reverse("web:sign-in"), {"login": "officer", "password": TEST_PASSWORD})
    elsewhere.post(reverse("web:sign-in"), {"login": "officer", "password": TEST_PASSWORD})
    response = change(here, TEST_PASSWORD, NEW_PASSWORD)
    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.check_password(NEW_PASSWORD)
    assert here.get(reverse("people:cohort")).status_code == 200
    assert elsewhere.get(reverse("people:cohort")).status_code == 302
    assert LedgerEntry.objects.filter(action=Action.PASSWORD_CHANGED, actor_username="officer").count() == 1


def test_the_account_page_shows_ones_recent_sign_ins_and_failed_attempts_and_no_one_elses(
    client, officer, probation_officer
):
    client.post(reverse("web:sign-in"), {"login": "officer", "password": "wrong"}, REMOTE_ADDR="203.0.113.50")
    client.post(reverse("web:sign-in"), {"login": "po", "password": "wrong"}, REMOTE_ADDR="198.51.100.99")
    client.post(reverse("web:sign-in"), {"login": "officer", "password": TEST_PASSWORD})
    page = client.get(reverse("partnership:account")).content.decode()
    assert "Failed to sign in" in page and "203.0.113.50" in page
    assert "Signed in" in page
    assert "198.51.100.99" not in page
    assert reverse("account_change_password") in page and reverse("mfa_index") in page


def test_the_second_factor_page_lists_and_replaces_factors(client, officer):
    client.post(reverse("web:sign-in"), {"login": "officer", "password": TEST_PASSWORD})
    page = client.get(reverse("mfa_index"))
    assert page.status_code == 200
    assert reverse("mfa_activate_totp") in page.content.decode()


def test_changing_the_email_used_for_password_reset_asks_for_the_password_again(client, officer):
    import datetime as dt

    import time_machine

    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False) as clock:
        client.post(reverse("web:sign-in"), {"login": "officer", "password": TEST_PASSWORD})
        clock.shift(dt.timedelta(minutes=6))
        response = client.post(reverse("account_email"), {"action_add": "", "email": "attacker@example.org"})
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_reauthenticate"))
    officer.refresh_from_db()
    assert officer.emailaddress_set.filter(email="attacker@example.org").count() == 0


def test_an_account_made_by_single_sign_on_cannot_be_given_a_password_by_email(client, officer, mailoutbox):
    # A leaver switched off at their agency's provider must not keep a way in through a reset e-mail.
    officer.email = "officer@police.example"
    officer.set_unusable_password()
    officer.save()
    client.post(reverse("account_reset_password"), {"email": "officer@police.example"})
    assert mailoutbox == []
    officer.set_password(TEST_PASSWORD)
    officer.save()
    client.post(reverse("account_reset_password"), {"email": "officer@police.example"})
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["officer@police.example"]
