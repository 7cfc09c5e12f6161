"""Before starting an assessment: what other agencies' assessments the viewer may see for their purpose
is named, and what exists but is withheld is counted with a link to ask for it.

Issue 12 point 7: the police were told "no risk summary that you may see" while probation's risk
summary was visible to them for risk management.
"""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from iomshare.partnership.models import Role
from iomshare.records.models import HandlingCode, Sensitivity
from tests.factories import (
    CategoryFactory,
    ClauseDocumentFactory,
    CohortMembershipFactory,
    InformationItemFactory,
    ProtocolDocumentFactory,
    StaffMemberFactory,
    active_protocol,
)
from tests.protocols.conftest import train

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared_risk(police, probation, officer, person, risk_summary):
    """Probation shares OFFICIAL risk information with police practitioners for risk management."""
    train(officer, "information_sharing")
    CohortMembershipFactory(person=person, lead_agency=police)
    active_protocol(
        ProtocolDocumentFactory(
            clauses=[
                ClauseDocumentFactory(shared_by="probation", categories=["risk"], max_sensitivity="OFFICIAL")
            ]
        )
    )
    risk = CategoryFactory(code="risk")
    author = StaffMemberFactory(agency=probation, role=Role.PRACTITIONER)

    def assessment(summary, **fields):
        return InformationItemFactory(
            person=person,
            holding_agency=probation,
            author=author,
            category=risk,
            summary=summary,
            valid_from=timezone.localdate() - dt.timedelta(days=30),
            payload={"form": "risk_summary", "version": 1, "answers": {"rosh_level": "medium"}},
            **fields,
        )

    assessment("Probation risk summary: medium")
    assessment("Probation sensitive risk summary", sensitivity=Sensitivity.OFFICIAL_SENSITIVE)
    assessment("Probation unshareable risk summary", handling_code=HandlingCode.NO_ONWARD_SHARING)


def earlier(client, person, **query):
    html = client.get(reverse("forms:fill", args=[person.pk, "risk_summary"]), query).content.decode()
    return html.split('data-testid="earlier-assessments"')[1].split("<form")[0]


def test_another_agencys_assessment_visible_for_the_purpose_is_named(client, officer, person, shared_risk):
    client.force_login(officer)
    shown = earlier(client, person, purpose="risk_management")
    assert "Probation risk summary: medium" in shown
    assert "that you may see" not in shown


def test_a_withheld_assessment_is_counted_with_a_request_link_never_its_content(
    client, officer, person, shared_risk
):
    client.force_login(officer)
    shown = earlier(client, person, purpose="risk_management")
    assert "Probation sensitive risk summary" not in shown and "unshareable" not in shown
    requestable = shown.split('data-testid="requestable"')[1]
    assert "1 risk summary" in requestable and "Probation Service North" in requestable
    assert (
        f"person={person.pk}&amp;agency=probation&amp;category=risk&amp;purpose=risk_management"
        in requestable
    )


def test_without_a_purpose_the_page_asks_for_one_before_naming_other_agencies_work(
    client, officer, person, shared_risk
):
    client.force_login(officer)
    shown = earlier(client, person)
    assert "Probation risk summary" not in shown
    assert "Choose your purpose" in shown


def test_an_unknown_purpose_is_refused_with_a_clear_error(client, officer, person, shared_risk):
    client.force_login(officer)
    shown = earlier(client, person, purpose="curiosity")
    assert "Probation risk summary" not in shown
    assert "Choose one of the purposes your agency" in shown
