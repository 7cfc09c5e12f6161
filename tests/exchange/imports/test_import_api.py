import pytest

from iomshare.partnership.tokens import issue_token
from iomshare.records.models import InformationItem
from tests.exchange.imports.conftest import contact_row, csv_bytes, good_contacts


@pytest.fixture
def headers(probation_ig):
    _token, secret = issue_token(for_staff=probation_ig, name="probation case system", by=None)
    return {"Authorization": f"Bearer {secret}"}


def post_file(client, headers, content, **params):
    query = "&".join(f"{key}={value}" for key, value in {"profile": "probation-contacts", **params}.items())
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        f"/api/v1/imports?{query}", {"file": SimpleUploadedFile("contacts.csv", content)}, headers=headers
    )


def test_an_upload_is_checked_by_default_and_reports_counts(client, people, headers):
    response = post_file(client, headers, csv_bytes(good_contacts(3)))
    body = response.json()
    assert response.status_code == 202
    assert response["Location"] == f"/api/v1/imports/{body['id']}"
    assert (body["status"], body["rows_valid"], body["problem_count"]) == ("checked", 3, 0)
    assert InformationItem.objects.count() == 0


def test_a_checked_upload_is_imported_on_request(client, people, headers):
    run_id = post_file(client, headers, csv_bytes(good_contacts(3))).json()["id"]
    response = client.post(
        f"/api/v1/imports/{run_id}/import", {}, content_type="application/json", headers=headers
    )
    assert response.status_code == 202 and response.json()["rows_created"] == 3
    assert InformationItem.objects.count() == 3


def test_an_upload_can_be_checked_and_imported_at_once(client, people, headers):
    body = post_file(client, headers, csv_bytes(good_contacts(2)), dry_run="false").json()
    assert (body["status"], body["rows_created"]) == ("imported", 2)


def test_problems_come_with_row_column_value_and_reason(client, people, headers):
    body = post_file(client, headers, csv_bytes([contact_row("C1", outcome="NOPE")]), dry_run="false").json()
    assert body["status"] == "checked" and InformationItem.objects.count() == 0
    problem = body["problems"][0]
    assert (problem["row"], problem["column"], problem["value"]) == (2, "OUTCOME", "NOPE")
    assert "'NOPE' is not a code of contact outcomes" in problem["reason"]


def test_another_agencys_profile_is_not_found(client, people, headers):
    response = post_file(client, headers, csv_bytes(good_contacts(1)), profile="council-housing")
    assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"


def test_the_api_lists_the_callers_profiles(client, people, headers):
    names = [profile["name"] for profile in client.get("/api/v1/imports/profiles", headers=headers).json()]
    assert names == ["probation-contacts"]


def test_an_import_without_a_token_is_refused(client, people):
    assert post_file(client, {}, csv_bytes(good_contacts(1))).status_code == 401
