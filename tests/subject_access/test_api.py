"""The read-only API: an IG lead's system sees where its agency's requests stand, and nothing else."""

import pytest

from iomshare.partnership.tokens import issue_token
from iomshare.subject_access import services

pytestmark = pytest.mark.django_db


def get(client, staff, path):
    _token, secret = issue_token(for_staff=staff, name="case system", by=None)
    return client.get("/api/v1" + path, headers={"Authorization": f"Bearer {secret}"})


@pytest.fixture
def checked(person, police_ig, probation_ig, holdings, received_on):
    sar = services.record_request(person, received_on=received_on, made_by="person", by=police_ig)
    return services.record_identity_check(sar, checked_on=received_on, method="Passport", by=police_ig)


def test_an_agency_taking_part_reads_the_request_and_each_agencys_progress(client, checked, probation_ig):
    body = get(client, probation_ig, f"/subject-access-requests/{checked.pk}").json()
    assert body["reference"] == checked.reference and body["due_on"] == checked.due_on.isoformat()
    assert {a["agency"]: a["confirmed"] for a in body["agencies"]} == {"police": False, "probation": False}
    assert "MARKER" not in str(body)
    assert [r["id"] for r in get(client, probation_ig, "/subject-access-requests").json()] == [checked.pk]


def test_others_get_problem_details(client, checked, charity_ig, officer):
    response = get(client, charity_ig, f"/subject-access-requests/{checked.pk}")
    assert response.status_code == 404 and response["Content-Type"].startswith("application/problem+json")
    assert get(client, charity_ig, "/subject-access-requests").json() == []
    assert get(client, officer, "/subject-access-requests").status_code == 403
