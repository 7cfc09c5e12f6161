import datetime as dt

import pytest
from django.utils import timezone

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
