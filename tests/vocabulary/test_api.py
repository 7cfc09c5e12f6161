import pytest

from iomshare.partnership.tokens import issue_token
from tests.exchange.conftest import ApiClient


def test_the_api_lists_schemes_with_concepts_and_definitions(police_api):
    response = police_api.get("/vocabulary")
    assert response.status_code == 200
    rosh = next(scheme for scheme in response.json() if scheme["code"] == "rosh_level")
    assert [concept["code"] for concept in rosh["concepts"]] == ["low", "medium", "high", "very_high"]
    assert rosh["concepts"][3]["definition"].startswith("There is an imminent risk")


def test_the_api_shows_a_concept_with_each_agencys_codes(police_api, mapped):
    body = police_api.get("/vocabulary/warning_marker/domestic_abuse_perpetrator").json()
    assert body["preferred_term"] == "Domestic abuse: perpetrator"
    assert {"agency": "police", "local_code": "DA", "local_label": "Domestic abuse"} in body["local_terms"]


def test_the_api_translates_the_callers_own_code(police_api, mapped):
    body = police_api.get("/vocabulary/translate", {"scheme": "warning_marker", "code": "DA"}).json()
    assert body["code"] == "domestic_abuse_perpetrator"


def test_the_api_refuses_a_code_that_maps_to_nothing_with_a_problem(police_api, mapped):
    response = police_api.get("/vocabulary/translate", {"scheme": "warning_marker", "code": "ZZ"})
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert "'ZZ' is not a code of warning markers" in response.json()["detail"]


def test_an_unknown_concept_is_a_404_problem(police_api):
    assert police_api.get("/vocabulary/rosh_level/extreme").status_code == 404


@pytest.fixture
def police_api(client, officer):
    _token, secret = issue_token(for_staff=officer, name="police case system", by=None)
    return ApiClient(client, secret)
