"""The subject access pack: everything held about a person, across agencies, and who saw it."""

import json

import pytest
from django.urls import reverse

from iomshare.errors import NotPermitted
from iomshare.ledger.models import Action, LedgerEntry
from iomshare.ledger.subject_access import compile_pack, pack_as_json
from iomshare.partnership.models import Role
from iomshare.records import selectors as records
from iomshare.records.services import withdraw_item
from tests.factories import CategoryFactory, InformationItemFactory, StaffMemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ig_lead(police):
    return StaffMemberFactory(username="ig", agency=police, role=Role.IG_LEAD)


@pytest.fixture
def holdings(officer, probation_officer, person):
    return {
        "intelligence": InformationItemFactory(
            person=person,
            holding_agency=officer.agency,
            author=officer,
            category=CategoryFactory(code="intelligence"),
        ),
        "accommodation": InformationItemFactory(
            person=person,
            holding_agency=probation_officer.agency,
            author=probation_officer,
            category=CategoryFactory(code="accommodation"),
        ),
        "health": InformationItemFactory(
            person=person,
            holding_agency=probation_officer.agency,
            author=probation_officer,
            category=CategoryFactory(code="health"),
        ),
        "elsewhere": InformationItemFactory(holding_agency=officer.agency, author=officer),
    }


def test_the_pack_holds_every_agencys_items_and_marks_those_to_review(ig_lead, person, holdings, officer):
    withdraw_item(holdings["accommodation"], by=holdings["accommodation"].author, reason="Wrong person")
    records.picture_for(officer, person, purpose=None)
    pack = pack_as_json(compile_pack(person, by=ig_lead))
    by_category = {item["category"]: item for item in pack["items"]}
    assert set(by_category) == {"intelligence", "accommodation", "health"}  # withdrawn items are still held
    assert by_category["accommodation"]["status"] == "withdrawn"
    assert by_category["accommodation"]["corrections"][0]["reason"] == "Wrong person"
    assert {c for c, item in by_category.items() if item["review_for_exemption"]} == {
        "intelligence",
        "health",
    }
    assert [d["recipient"] for d in pack["disclosures"]] == ["officer"]


def test_compiling_the_pack_is_one_subject_access_entry(ig_lead, person, holdings):
    compile_pack(person, by=ig_lead)
    (entry,) = LedgerEntry.objects.filter(action=Action.SUBJECT_ACCESS)
    assert entry.actor_id == ig_lead.pk and len(entry.item_ids) == 3
    assert sorted(entry.details["for_exemption_review"]) == sorted(
        [str(holdings["intelligence"].id), str(holdings["health"].id)]
    )


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.PARTNERSHIP_MANAGER, Role.ADMIN])
def test_only_an_ig_lead_can_compile_a_pack(police, person, holdings, role):
    with pytest.raises(NotPermitted):
        compile_pack(person, by=StaffMemberFactory(agency=police, role=role))
    assert not LedgerEntry.objects.filter(action=Action.SUBJECT_ACCESS).exists()


def test_the_printable_page_and_json_download(client, ig_lead, person, holdings):
    client.force_login(ig_lead)
    html = client.get(reverse("ledger:subject-access", args=[person.id])).content.decode()
    assert (
        html.count('data-testid="pack-item"') == 3 and html.count('data-testid="review-for-exemption"') == 2
    )
    assert '/assets/iomshare/print.css" media="print"' in html
    response = client.get(reverse("ledger:subject-access-json", args=[person.id]))
    assert response["Content-Type"] == "application/json"
    assert len(json.loads(response.content)["items"]) == 3


def test_a_practitioner_gets_a_clear_403(client, officer, person):
    client.force_login(officer)
    response = client.get(reverse("ledger:subject-access", args=[person.id]))
    assert response.status_code == 403 and "Only an information-governance lead" in response.content.decode()
