"""The one door applies the sharing decision: purpose first, the full picture, and what is withheld."""

import pytest

from iomshare.ledger.models import Action, LedgerEntry
from iomshare.partnership.models import Role
from iomshare.records import selectors
from iomshare.records.models import Category, HandlingCode, Nature, Sensitivity
from tests.factories import (
    ClauseDocumentFactory,
    InformationItemFactory,
    ProtocolDocumentFactory,
    StaffMemberFactory,
    active_protocol,
)
from tests.protocols.conftest import train

pytestmark = pytest.mark.django_db


@pytest.fixture
def offending(db):
    return Category.objects.get_or_create(code="offending", defaults={"name": "Offending history"})[0]


@pytest.fixture
def reader(probation):
    """A probation practitioner with information sharing training in date."""
    return train(
        StaffMemberFactory(username="probation.reader", agency=probation, role=Role.PRACTITIONER),
        "information_sharing",
    )


@pytest.fixture
def protocol(police, probation):
    return active_protocol(
        ProtocolDocumentFactory(
            clauses=[ClauseDocumentFactory(categories=["offending"], redact=["offending.victim_name"])]
        )
    )


def police_item(police, person, category, **fields):
    return InformationItemFactory(holding_agency=police, person=person, category=category, **fields)


def last_view():
    return LedgerEntry.objects.filter(action=Action.VIEW).order_by("-pk").first()


def test_without_a_purpose_only_the_viewers_own_agency_is_seen(
    reader, probation, police, person, offending, protocol
):
    own = InformationItemFactory(holding_agency=probation, person=person, category=offending)
    police_item(police, person, offending)
    picture = selectors.picture_for(reader, person, purpose=None)
    assert [item.pk for item in picture.items] == [own.pk]
    assert picture.items[0].basis.is_own
    assert picture.withheld == []
    entry = last_view()
    assert entry.purpose == "" and entry.clauses == []


def test_a_purpose_opens_what_the_protocol_shares_labelled_with_its_clause(
    reader, probation, police, person, offending, protocol
):
    shared = police_item(police, person, offending, nature=Nature.OPINION)
    picture = selectors.picture_for(reader, person, purpose="risk_management")
    assert [item.pk for item in picture.items] == [shared.pk]
    basis = picture.items[0].basis
    clause_id = f"protocol:{protocol.reference}:v1:clause:1"
    assert basis.kind == "clause" and basis.clause_id == clause_id
    assert basis.label == f"Shared under {protocol.title}, clause 1"
    entry = last_view()
    assert entry.purpose == "risk_management"
    assert entry.clauses == [clause_id]
    assert entry.item_ids == [str(shared.pk)]


def test_more_sensitive_items_are_withheld_and_counted_with_a_reason(
    reader, police, person, offending, protocol
):
    police_item(police, person, offending, sensitivity=Sensitivity.OFFICIAL_SENSITIVE)
    police_item(police, person, offending, sensitivity=Sensitivity.OFFICIAL_SENSITIVE)
    picture = selectors.picture_for(reader, person, purpose="risk_management")
    assert picture.items == []
    [withheld] = picture.withheld
    assert (withheld.holding_agency, withheld.category, withheld.count) == (police, offending, 2)
    assert withheld.reason == "too_sensitive"
    assert "more sensitive than the protocols share" in withheld.message
    assert last_view().item_ids == []


def test_a_purpose_no_protocol_covers_shows_nothing_of_other_agencies(
    reader, police, person, offending, protocol
):
    police_item(police, person, offending)
    picture = selectors.picture_for(reader, person, purpose="accommodation")
    assert picture.items == []
    assert picture.withheld == []  # no clause lets its existence be known


def test_no_onward_sharing_items_never_leave_the_holding_agency(reader, police, person, offending, protocol):
    police_item(police, person, offending, handling_code=HandlingCode.NO_ONWARD_SHARING)
    picture = selectors.picture_for(reader, person, purpose="risk_management")
    assert picture.items == [] and picture.withheld == []
    officer = StaffMemberFactory(agency=police)
    assert len(selectors.picture_for(officer, person, purpose=None).items) == 1


def test_restricted_items_are_seen_only_by_the_holding_agencys_ig_lead(
    reader, police, probation, person, offending, protocol
):
    from django.utils import timezone

    item = police_item(police, person, offending, restricted_at=timezone.now(), restricted_reason="Disputed")
    officer = StaffMemberFactory(agency=police)
    police_lead = StaffMemberFactory(agency=police, role=Role.IG_LEAD)
    probation_lead = train(StaffMemberFactory(agency=probation, role=Role.IG_LEAD), "information_sharing")
    assert selectors.picture_for(officer, person, purpose=None).items == []
    assert [i.pk for i in selectors.picture_for(police_lead, person, purpose=None).items] == [item.pk]
    assert selectors.picture_for(reader, person, purpose="risk_management").items == []
    assert selectors.picture_for(probation_lead, person, purpose="risk_management").items == []
    assert selectors.item_for(reader, item.pk, purpose="risk_management") is None


def test_clause_redactions_remove_fields_from_what_recipients_see(
    reader, police, person, offending, protocol
):
    payload = {
        "form": "offence",
        "version": 1,
        "answers": {"offence": "Burglary", "victim_name": "A. Synthetic"},
    }
    police_item(police, person, offending, payload=payload)
    [item] = selectors.picture_for(reader, person, purpose="risk_management").items
    assert item.payload["answers"] == {"offence": "Burglary"}
    assert item.payload["redacted"] == ["victim_name"]
    officer = StaffMemberFactory(agency=police)
    [own] = selectors.picture_for(officer, person, purpose=None).items
    assert own.payload["answers"]["victim_name"] == "A. Synthetic"


def test_one_item_is_read_for_a_purpose_and_recorded(reader, police, person, offending, protocol):
    item = police_item(police, person, offending)
    assert selectors.item_for(reader, item.pk) is None  # without a purpose: own agency only
    found = selectors.item_for(reader, item.pk, purpose="risk_management")
    assert found.pk == item.pk and found.basis.kind == "clause"
    assert last_view().item_ids == [str(item.pk)]


def test_a_picture_export_passes_the_door_and_names_the_clauses(reader, police, person, offending, protocol):
    item = police_item(police, person, offending)
    items = selectors.picture_export_for(reader, person, purpose="risk_management")
    assert [i.pk for i in items] == [item.pk]
    entry = LedgerEntry.objects.filter(action=Action.EXPORT).latest("pk")
    assert entry.purpose == "risk_management"
    assert entry.clauses == [f"protocol:{protocol.reference}:v1:clause:1"]


def test_a_bulk_extract_for_a_purpose_carries_what_protocols_share(
    reader, police, person, offending, protocol
):
    shared = police_item(police, person, offending)
    police_item(police, person, offending, sensitivity=Sensitivity.OFFICIAL_SENSITIVE)
    assert [i.pk for i in selectors.items_for_extract(reader, purpose="risk_management")] == [shared.pk]
    assert list(selectors.items_for_extract(reader)) == []


def test_a_redacted_view_can_never_be_saved_over_the_record(reader, police, person, offending, protocol):
    payload = {
        "form": "offence",
        "version": 1,
        "answers": {"offence": "Burglary", "victim_name": "A. Synthetic"},
    }
    original = police_item(police, person, offending, payload=payload)
    [item] = selectors.picture_for(reader, person, purpose="risk_management").items
    with pytest.raises(RuntimeError, match="never saved"):
        item.save()
    original.refresh_from_db()
    assert original.payload["answers"]["victim_name"] == "A. Synthetic"
