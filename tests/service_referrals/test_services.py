"""Referrals to another agency's service: who may refer and decide, what may be sent, and the ledger."""

import uuid

import pytest

from iomshare.alerts.models import Notification
from iomshare.errors import InvalidInput, NotFound, NotPermitted
from iomshare.ledger.models import Action, LedgerEntry
from iomshare.service_referrals import services
from iomshare.service_referrals.models import ServiceOffer, ServiceReferral, SharedItem
from tests.factories import PersonFactory, StaffMemberFactory
from tests.service_referrals.conftest import REASON

pytestmark = pytest.mark.django_db


def _case_work(change):
    return [
        e for e in LedgerEntry.objects.filter(action=Action.CASE_WORK) if e.details.get("change") == change
    ]


# --- services offered -----------------------------------------------------------------------------


def test_an_agencys_manager_offers_a_service_on_the_ledger(volunteering, charity_manager):
    assert volunteering.agency_id == charity_manager.agency_id and volunteering.is_open
    assert _case_work("offered")[0].details["service_offer"] == volunteering.pk


def test_a_practitioner_cannot_offer_a_service(coordinator, volunteering_protocol):
    with pytest.raises(NotPermitted):
        services.offer_service(
            by=coordinator,
            name="X",
            kind="volunteering",
            purpose="volunteering_placement",
            contact=coordinator,
        )
    assert not ServiceOffer.objects.exists()


def test_a_service_needs_a_contact_of_its_own_agency_and_a_real_purpose(charity_manager, practitioner):
    with pytest.raises(InvalidInput) as raised:
        services.offer_service(
            by=charity_manager, name="", kind="juggling", purpose="nope", contact=practitioner
        )
    assert set(raised.value.field_errors) == {"name", "kind", "purpose", "contact"}
    assert not ServiceOffer.objects.exists()


def test_a_volunteer_cannot_be_the_contact(charity_manager, charity_volunteer, volunteering_protocol):
    with pytest.raises(InvalidInput) as raised:
        services.offer_service(
            by=charity_manager,
            name="Gardens",
            kind="volunteering",
            purpose="volunteering_placement",
            contact=charity_volunteer,
        )
    assert "volunteer" in raised.value.field_errors["contact"]


# --- referring ------------------------------------------------------------------------------------


def test_a_referral_sends_items_the_protocol_lets_the_receiver_see(referral, items, coordinator):
    shared = SharedItem.objects.get(referral=referral)
    assert shared.item_id == items["intervention"].pk
    assert shared.clause.startswith("test-protocol") or shared.clause  # the clause relied on
    entry = _case_work("sent")[0]
    assert entry.item_ids == [str(items["intervention"].pk)]
    assert entry.clauses == [shared.clause]
    assert entry.purpose == "volunteering_placement"
    note = Notification.objects.get(recipient=coordinator)
    assert referral.number in note.message and "Volunteering placements" in note.message


@pytest.mark.parametrize("refused", ["risk", "sensitive"])
def test_an_item_the_protocol_does_not_share_with_the_receiver_is_refused_and_nothing_is_sent(
    volunteering, practitioner, referred, items, refused
):
    with pytest.raises(InvalidInput) as raised:
        services.refer_to_service(
            by=practitioner,
            person=referred,
            service=volunteering,
            reason=REASON,
            item_ids=[items["intervention"].pk, items[refused].pk],
        )
    message = raised.value.field_errors["item_ids"]
    assert (
        str(items[refused].pk) in message
        and "Second Chance Mentoring may not see it for this purpose." in message
    )
    assert str(items["intervention"].pk) not in message
    assert not ServiceReferral.objects.exists() and not _case_work("sent")


def test_an_item_the_referrer_cannot_see_is_refused(volunteering, practitioner, referred, items):
    with pytest.raises(InvalidInput) as raised:
        services.refer_to_service(
            by=practitioner,
            person=referred,
            service=volunteering,
            reason=REASON,
            item_ids=[uuid.uuid4(), "x"],
        )
    assert "'x' is not an item id" in raised.value.field_errors["item_ids"]
    with pytest.raises(InvalidInput) as raised:
        services.refer_to_service(
            by=practitioner, person=referred, service=volunteering, reason=REASON, item_ids=[uuid.uuid4()]
        )
    assert "not an item about this person that you can see" in raised.value.field_errors["item_ids"]
    assert not ServiceReferral.objects.exists()


def test_a_referral_needs_a_reason(volunteering, practitioner, referred):
    with pytest.raises(InvalidInput) as raised:
        services.refer_to_service(by=practitioner, person=referred, service=volunteering, reason="short")
    assert "at least 10 characters" in raised.value.field_errors["reason"]
    assert not ServiceReferral.objects.exists()


def test_a_volunteer_cannot_refer(volunteering, referred, probation):
    volunteer = StaffMemberFactory(agency=probation, role="volunteer", is_volunteer=True)
    with pytest.raises(NotPermitted):
        services.refer_to_service(by=volunteer, person=referred, service=volunteering, reason=REASON)
    assert not ServiceReferral.objects.exists()


def test_no_one_refers_to_their_own_agencys_service(volunteering, charity_manager, referred):
    with pytest.raises(InvalidInput) as raised:
        services.refer_to_service(by=charity_manager, person=referred, service=volunteering, reason=REASON)
    assert "own agency" in raised.value.field_errors["service"]


def test_a_closed_service_takes_no_referrals(volunteering, charity_manager, practitioner, referred):
    services.close_service(volunteering, by=charity_manager)
    with pytest.raises(InvalidInput) as raised:
        services.refer_to_service(by=practitioner, person=referred, service=volunteering, reason=REASON)
    assert "not taking referrals" in raised.value.field_errors["service"]


def test_a_person_the_referrer_may_not_know_is_not_found(volunteering, practitioner):
    stranger = PersonFactory()
    with pytest.raises(NotFound):
        services.refer_to_service(by=practitioner, person=stranger, service=volunteering, reason=REASON)


def test_a_person_the_receiving_agency_may_not_know_cannot_be_referred(volunteering, practitioner, probation):
    from tests.factories import AgencyIdentifierFactory

    known_to_probation_only = PersonFactory()  # not in the cohort: the charity may not know him
    AgencyIdentifierFactory(person=known_to_probation_only, agency=probation)
    with pytest.raises(InvalidInput) as raised:
        services.refer_to_service(
            by=practitioner, person=known_to_probation_only, service=volunteering, reason=REASON
        )
    assert "may not know of this person" in raised.value.field_errors["service"]
    assert not ServiceReferral.objects.exists()


# --- deciding -------------------------------------------------------------------------------------


def test_the_receiving_agency_accepts_and_the_referrer_is_told(referral, coordinator, practitioner):
    services.decide_referral(referral, by=coordinator, decision="accept", reason="Starts Monday.")
    referral.refresh_from_db()
    assert referral.status == "accepted" and referral.decided_by == coordinator
    assert _case_work("accepted")[0].details["service_referral"] == referral.pk
    assert "accepted" in Notification.objects.filter(recipient=practitioner).latest("pk").message


def test_declining_needs_a_reason_and_a_bad_decision_changes_nothing(referral, coordinator):
    with pytest.raises(InvalidInput) as raised:
        services.decide_referral(referral, by=coordinator, decision="decline", reason="")
    assert "reason" in raised.value.field_errors
    with pytest.raises(InvalidInput):
        services.decide_referral(referral, by=coordinator, decision="maybe")
    referral.refresh_from_db()
    assert referral.status == "sent" and not _case_work("declined")


def test_the_receiving_agency_declines_with_a_reason(referral, coordinator, practitioner):
    services.decide_referral(
        referral, by=coordinator, decision="decline", reason="No placements until spring."
    )
    referral.refresh_from_db()
    assert referral.status == "declined" and referral.decision_reason == "No placements until spring."
    assert (
        "No placements until spring."
        in Notification.objects.filter(recipient=practitioner).latest("pk").message
    )


def test_only_an_accepted_referral_can_be_completed(referral, coordinator):
    with pytest.raises(InvalidInput) as raised:
        services.decide_referral(referral, by=coordinator, decision="complete")
    assert "only a referral accepted can be completed" in raised.value.field_errors["decision"]
    services.decide_referral(referral, by=coordinator, decision="accept")
    services.decide_referral(referral, by=coordinator, decision="complete", reason="Twelve weeks done.")
    referral.refresh_from_db()
    assert referral.status == "completed" and referral.completion_note == "Twelve weeks done."
    assert _case_work("completed")


def test_a_decided_referral_cannot_be_decided_again(referral, coordinator):
    services.decide_referral(referral, by=coordinator, decision="decline", reason="No placements now.")
    with pytest.raises(InvalidInput):
        services.decide_referral(referral, by=coordinator, decision="accept")
    referral.refresh_from_db()
    assert referral.status == "declined"


@pytest.mark.parametrize("who", ["practitioner", "charity_volunteer", "outsider"])
def test_only_the_receiving_agencys_staff_decide(referral, request, who, police):
    by = StaffMemberFactory(agency=police) if who == "outsider" else request.getfixturevalue(who)
    with pytest.raises(NotPermitted):
        services.decide_referral(referral, by=by, decision="accept")
    referral.refresh_from_db()
    assert referral.status == "sent"
