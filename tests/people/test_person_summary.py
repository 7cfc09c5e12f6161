"""The person page as practitioners use it: summary first, a filterable timeline, purpose remembered."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from iomshare.ledger.models import Action, LedgerEntry
from iomshare.records.models import Category
from tests.factories import (
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
def case(officer, probation_officer, person, police, probation):
    membership = CohortMembershipFactory(person=person, lead_agency=police, review_on=timezone.localdate())
    membership.key_workers.add(officer, probation_officer)
    marker = InformationItemFactory(
        person=person,
        holding_agency=police,
        author=officer,
        category=Category.objects.get(code="warning_marker"),
        summary="Weapons: carried a knife on arrest",
    )
    contact = InformationItemFactory(
        person=person,
        holding_agency=police,
        author=officer,
        category=Category.objects.get(code="contact"),
        summary="Home visit, engaged well",
    )
    old = InformationItemFactory(
        person=person,
        holding_agency=police,
        author=officer,
        category=Category.objects.get(code="accommodation"),
        summary="Old tenancy note",
    )
    old.recorded_at = timezone.now() - dt.timedelta(days=400)
    old.save(update_fields=["recorded_at"])
    probation_note = InformationItemFactory(
        person=person,
        holding_agency=probation,
        author=probation_officer,
        category=Category.objects.get(code="risk"),
        summary="Probation risk of serious harm: high",
    )
    return {"marker": marker, "contact": contact, "old": old, "probation_note": probation_note}


def test_the_summary_puts_warning_markers_first_with_tier_key_workers_and_latest_contact(
    client, officer, person, case
):
    client.force_login(officer)
    page = client.get(reverse("people:person", args=[person.pk])).content.decode()
    summary = page[page.index('data-testid="person-summary"') : page.index("</section>")]
    assert "Weapons: carried a knife on arrest" in summary
    assert "Home visit, engaged well" in summary
    assert "Fixed" in summary and "Priya Shah, Northshire Police" in summary
    # Probation shares nothing with the police here, so its key worker is not named (people.visibility).
    assert "Owen Jones" not in summary
    # Without a purpose the summary holds the viewer's own agency's items only.
    assert "Probation risk of serious harm" not in page
    assert page.index('data-testid="person-summary"') < page.index('data-testid="no-purposes"')


def test_the_summary_shows_another_agencys_risk_only_when_a_protocol_allows(
    client, person, case, probation, police
):
    clause = ClauseDocumentFactory(shared_by="probation", categories=["risk"])
    active_protocol(ProtocolDocumentFactory(clauses=[clause], owner="probation"))
    reader = train(StaffMemberFactory(username="reader", agency=police), "information_sharing")
    client.force_login(reader)
    url = reverse("people:person", args=[person.pk])
    assert "Probation risk of serious harm" not in client.get(url).content.decode()
    shown = client.get(url, {"purpose": "risk_management"}).content.decode()
    summary = shown[shown.index('data-testid="person-summary"') : shown.index("</section>")]
    assert "Probation risk of serious harm" in summary
    entry = LedgerEntry.objects.filter(action=Action.VIEW).latest("pk")
    assert str(case["probation_note"].pk) in entry.item_ids


def test_the_timeline_filters_by_kind_agency_and_date_and_only_reads_what_it_shows(
    client, officer, person, case
):
    client.force_login(officer)
    url = reverse("people:person", args=[person.pk])
    by_kind = client.get(url, {"kind": "accommodation"}).content.decode()
    assert f'id="item-{case["old"].pk}"' in by_kind and f'id="item-{case["contact"].pk}"' not in by_kind
    recent = client.get(
        url, {"from": (timezone.localdate() - dt.timedelta(days=30)).isoformat()}
    ).content.decode()
    assert f'id="item-{case["old"].pk}"' not in recent and f'id="item-{case["contact"].pk}"' in recent
    nothing = client.get(url, {"agency": "probation"}).content.decode()
    assert 'id="item-' not in nothing
    bad = client.get(url, {"from": "yesterday", "kind": "astrology"}).content.decode()
    assert "Enter a real date" in bad and "Choose a kind of information from the list" in bad


def test_the_declared_purpose_is_remembered_for_the_person_until_changed(client, person, case, probation):
    active_protocol(ProtocolDocumentFactory())  # police share offending history with probation
    reader = train(StaffMemberFactory(username="reader", agency=probation), "information_sharing")
    client.force_login(reader)
    url = reverse("people:person", args=[person.pk])
    client.get(url, {"purpose": "risk_management"})
    again = client.get(url).content.decode()
    assert 'data-testid="purpose"' in again and "risk management" in again
    changed = client.get(url, {"change_purpose": "1"}).content.decode()
    assert 'data-testid="purpose-chooser"' in changed
