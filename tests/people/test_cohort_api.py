"""Running the cohort through the API: the same rules as the pages, errors as problem details."""

import pytest

from iomshare.ledger.models import Channel, LedgerEntry
from iomshare.partnership.models import Role
from iomshare.partnership.tokens import issue_token
from iomshare.people.models import CohortMembership, CohortReferral
from tests.exchange.conftest import ApiClient
from tests.factories import StaffMemberFactory

REASON = "Three burglaries in six months and released last week with no address."


@pytest.fixture
def officer_api(client, officer):
    return ApiClient(client, issue_token(for_staff=officer, name="police case system", by=None)[1])


@pytest.fixture
def panel_api(client, police):
    manager = StaffMemberFactory(username="manager", agency=police, role=Role.PARTNERSHIP_MANAGER)
    return ApiClient(client, issue_token(for_staff=manager, name="panel tools", by=None)[1])


def test_refer_select_allocate_review_and_leave_through_the_api(
    officer_api, panel_api, person, officer, probation
):
    made = officer_api.post(
        "/cohort/referrals", {"person": str(person.pk), "source": "release", "reason": REASON}
    )
    assert made.status_code == 201, made.content
    referral_id = made.json()["id"]
    assert made.json()["status"] == "awaiting"
    decided = panel_api.post(
        f"/cohort/referrals/{referral_id}/decision",
        {"decision": "accept", "tier": "flex", "lead_agency": "probation", "review_on": "2099-01-01"},
    )
    assert decided.status_code == 422  # more than a year ahead
    assert decided.json()["errors"][0]["field"] == "review_on"
    decided = panel_api.post(
        f"/cohort/referrals/{referral_id}/decision",
        {"decision": "accept", "tier": "flex", "lead_agency": "probation"},
    )
    assert decided.status_code == 200 and decided.json()["status"] == "accepted"
    membership_id = decided.json()["membership"]
    assigned = panel_api.post(
        f"/cohort/memberships/{membership_id}/key-workers", {"username": officer.username}
    )
    assert [w["username"] for w in assigned.json()["key_workers"]] == ["officer"]
    left = panel_api.post(f"/cohort/memberships/{membership_id}/leaving", {"reason": "moved_area"})
    assert left.status_code == 200 and left.json()["exit_reason"] == "moved_area"
    assert [c["kind"] for c in left.json()["history"]] == ["left", "key_worker_assigned", "accepted"]
    channels = set(LedgerEntry.objects.filter(action="cohort_changed").values_list("channel", flat=True))
    assert channels == {Channel.API}


def test_bad_input_is_a_problem_naming_each_field_and_changes_nothing(officer_api, person):
    response = officer_api.post(
        "/cohort/referrals", {"person": str(person.pk), "source": "gossip", "reason": ""}
    )
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert {e["field"] for e in response.json()["errors"]} == {"source", "reason"}
    assert not CohortReferral.objects.exists()


def test_only_the_panel_decides_through_the_api(officer_api, person, probation):
    referral_id = officer_api.post(
        "/cohort/referrals", {"person": str(person.pk), "source": "release", "reason": REASON}
    ).json()["id"]
    response = officer_api.post(
        f"/cohort/referrals/{referral_id}/decision",
        {"decision": "accept", "tier": "flex", "lead_agency": "probation"},
    )
    assert response.status_code == 403
    assert not CohortMembership.objects.exists()


def test_an_unknown_person_or_membership_is_a_404_problem(officer_api):
    missing = officer_api.post(
        "/cohort/referrals",
        {"person": "00000000-0000-4000-8000-000000000000", "source": "release", "reason": REASON},
    )
    assert missing.status_code == 404
    assert officer_api.get("/cohort/memberships/999999").status_code == 404
