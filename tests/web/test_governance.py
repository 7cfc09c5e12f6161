"""The information-governance hub: one page of tools, with what waits for a decision."""

import pytest
from django.urls import reverse

from iomshare.information_requests import services as requests
from iomshare.partnership.models import Role
from tests.factories import CohortMembershipFactory, InformationItemFactory, StaffMemberFactory

pytestmark = pytest.mark.django_db


def test_practitioners_are_refused_the_governance_page(client, officer):
    client.force_login(officer)
    assert client.get(reverse("web:governance")).status_code == 403


def test_an_ig_lead_sees_what_waits_for_their_agency(client, police, probation_officer, person):
    lead = StaffMemberFactory(agency=police, role=Role.IG_LEAD)
    CohortMembershipFactory(person=person, lead_agency=police)
    InformationItemFactory(person=person, holding_agency=police, category__code="intelligence")
    client.force_login(lead)
    assert client.get(reverse("web:governance")).context["dashboard"].awaiting == 0
    requests.make_request(
        by=probation_officer,
        person=person,
        holding_agency="police",
        category="intelligence",
        purpose="risk_management",
        legal_gateway="cda-1998-s115",
        justification="A home visit is planned and we need to know of any weapons at the address.",
    )
    response = client.get(reverse("web:governance"))
    assert response.status_code == 200
    assert response.context["dashboard"].awaiting == 1
    body = response.content.decode()
    assert reverse("information_requests:queue") in body and reverse("retention:review-queue") in body
    assert 'aria-current="page">Governance' in body
