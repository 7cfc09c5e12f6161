import pytest
from django.urls import reverse

from tests.factories import TEST_PASSWORD, CohortMembershipFactory, InformationItemFactory


@pytest.mark.django_db
def test_officer_sees_own_agency_items_and_never_another_agencys(
    client, officer, probation, person, accommodation
):
    CohortMembershipFactory(person=person, lead_agency=officer.agency)
    own = InformationItemFactory(
        person=person, holding_agency=officer.agency, author=officer, summary="Police note"
    )
    InformationItemFactory(
        person=person, holding_agency=probation, category=accommodation, summary="Probation note"
    )
    assert client.login(username="officer", password=TEST_PASSWORD)
    page = client.get(reverse("people:person", args=[person.id]))
    assert page.status_code == 200
    assert own.summary in page.content.decode()
    assert "Probation note" not in page.content.decode()
