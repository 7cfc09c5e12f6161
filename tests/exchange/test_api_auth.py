import datetime as dt

import pytest
from django.utils import timezone

from iomshare.ledger.models import Action, LedgerEntry, Outcome
from iomshare.partnership.models import ApiToken
from iomshare.partnership.tokens import issue_token, revoke_token
from tests.exchange.conftest import ApiClient
from tests.factories import TEST_PASSWORD

ENDPOINTS = ["/me", "/persons?q=Whitlock", "/persons/{id}", "/persons/{id}/items"]


def assert_unauthenticated(response, *, token_presented: bool) -> None:
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    challenge = response["WWW-Authenticate"]
    assert challenge.startswith("Bearer")
    assert ('error="invalid_token"' in challenge) is token_presented
    problem = response.json()
    assert problem["status"] == 401 and problem["type"].endswith("/unauthenticated")
    assert problem["instance"] == response.wsgi_request.path


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_every_endpoint_refuses_a_request_without_a_token(anonymous_api, person, endpoint):
    response = anonymous_api.get(endpoint.format(id=person.id))
    assert_unauthenticated(response, token_presented=False)


def test_recording_without_a_token_is_refused_and_records_nothing(anonymous_api, person, accommodation):
    response = anonymous_api.post(
        f"/persons/{person.id}/items", {"category": "accommodation", "summary": "x"}
    )
    assert_unauthenticated(response, token_presented=False)
    assert person.items.count() == 0


@pytest.mark.parametrize("secret", ["iom_" + "A" * 40, "wrong", "iom_short"])
def test_a_wrong_token_is_refused(client, officer, officer_token, secret):
    response = ApiClient(client, secret).get("/me")
    assert_unauthenticated(response, token_presented=True)


def test_a_revoked_token_is_refused(client, officer, officer_token):
    api = ApiClient(client, officer_token)
    assert api.get("/me").status_code == 200
    revoke_token(ApiToken.objects.get(), by=officer)
    assert_unauthenticated(api.get("/me"), token_presented=True)


def test_an_expired_token_is_refused(client, officer):
    token, secret = issue_token(for_staff=officer, name="short-lived", expires_in_days=1, by=None)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert_unauthenticated(ApiClient(client, secret).get("/me"), token_presented=True)


def test_a_token_of_a_deactivated_account_is_refused(client, officer, officer_token):
    officer.is_active = False
    officer.save()
    assert_unauthenticated(ApiClient(client, officer_token).get("/me"), token_presented=True)


def test_the_web_session_is_not_accepted_by_the_api(client, officer):
    assert client.login(username="officer", password=TEST_PASSWORD)
    assert_unauthenticated(client.get("/api/v1/me"), token_presented=False)


def test_a_basic_auth_header_is_not_a_bearer_token(client, officer):
    response = client.get("/api/v1/me", headers={"Authorization": "Basic b2ZmaWNlcjpwYXNzd29yZA=="})
    assert_unauthenticated(response, token_presented=True)


def test_a_token_acts_as_its_staff_member_even_with_another_session(client, officer, probation_token):
    client.force_login(officer)
    response = ApiClient(client, probation_token).get("/me")
    assert response.status_code == 200
    assert response.json()["username"] == "po"


def failed_sign_ins() -> list[LedgerEntry]:
    return list(LedgerEntry.objects.filter(action=Action.SIGN_IN_FAILED).order_by("id"))


@pytest.mark.parametrize(
    ("secret", "reason", "prefix"),
    [
        ("iom_" + "A" * 40, "no such token", "iom_AAAAAAAA"),
        ("wrong", "not an iomshare API token", ""),
    ],
)
def test_a_refused_token_is_a_failed_sign_in_on_the_ledger_without_its_secret(
    client, officer, officer_token, secret, reason, prefix
):
    ApiClient(client, secret).get("/me")
    (entry,) = failed_sign_ins()
    assert entry.outcome == Outcome.FAILED and entry.actor_id is None
    assert entry.details == {"channel": "api token", "reason": reason, "token_prefix": prefix}
    assert secret not in str(entry.details)


def test_a_revoked_token_names_whose_it_was_on_the_ledger(client, officer, officer_token):
    api = ApiClient(client, officer_token)
    assert api.get("/me").status_code == 200
    assert failed_sign_ins() == []
    revoke_token(ApiToken.objects.get(), by=officer)
    api.get("/me")
    (entry,) = failed_sign_ins()
    assert entry.actor_username == officer.username
    assert entry.details["reason"] == "the token was revoked"
    assert entry.details["token_prefix"] == officer_token[:12]
    assert officer_token not in str(entry.details)
