"""Legal holds name a person: an IG lead sees only holds on people they may know (invariant 10)."""

from __future__ import annotations

import pytest

from iomshare.retention.services import place_legal_hold
from tests.factories import TEST_PASSWORD, AgencyIdentifierFactory, PersonFactory

pytestmark = pytest.mark.django_db


def test_a_hold_on_a_person_only_another_agency_knows_is_not_shown_to_other_ig_leads(
    client, police_lead, probation_lead, probation
):
    person = PersonFactory(given_name="Sam", family_name="Holdenby")
    AgencyIdentifierFactory(person=person, agency=probation, value="PROB-HOLD-1")
    hold = place_legal_hold(by=probation_lead, reason="Litigation about Sam Holdenby", person=person)

    client.login(username=police_lead.username, password=TEST_PASSWORD)
    assert "Holdenby" not in client.get("/retention/holds/").content.decode()
    assert client.get(f"/retention/holds/{hold.pk}/lift/").status_code == 404

    client.login(username=probation_lead.username, password=TEST_PASSWORD)
    assert "Holdenby" in client.get("/retention/holds/").content.decode()
    assert client.get(f"/retention/holds/{hold.pk}/lift/").status_code == 200
