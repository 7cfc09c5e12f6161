"""Asking, approving, refusing and withdrawing: who may, what is kept, what reaches the ledger."""

import datetime as dt

import pytest
from django.utils import timezone

from iomshare.alerts.models import Notification
from iomshare.errors import InvalidInput, NotPermitted
from iomshare.information_requests import selectors, services
from iomshare.information_requests.models import ApprovedItem, InformationRequest, RequestStatus
from iomshare.ledger.models import Action, LedgerEntry
from iomshare.partnership.models import Role, VettingLevel
from iomshare.protocols.decisions import RefusalReason
from iomshare.records import selectors as records
from tests.factories import (
    ClauseDocumentFactory,
    ProtocolDocumentFactory,
    StaffMemberFactory,
    active_protocol,
)
from tests.information_requests.conftest import ask
from tests.protocols.conftest import train


def entries(action):
    return list(LedgerEntry.objects.filter(action=action).order_by("id"))


def test_a_request_no_protocol_covers_is_kept_with_what_the_decision_said(
    probation_officer, police_ig, person
):
    request = ask(services, probation_officer, person)
    assert request.status == RequestStatus.AWAITING_DECISION
    assert request.requesting_agency == probation_officer.agency
    assert not request.purpose_was_covered and not request.covered_by_protocol
    assert request.refusal_reason == RefusalReason.NO_PROTOCOL
    assert "No protocol in force covers risk management" in request.refusal_message
    [made] = entries(Action.REQUEST_MADE)
    assert made.actor_id == probation_officer.pk and made.person_id == person.pk
    assert made.purpose == "risk_management" and made.clauses == [f"information-request:{request.pk}"]
    assert made.details["holding_agency"] == "police" and made.details["covered_by_protocol"] is False
    [told] = Notification.objects.filter(recipient=police_ig)
    assert f"request #{request.pk}" in told.message and told.link == f"/requests/{request.pk}/"


def test_a_request_a_clause_covers_but_training_blocks_is_covered_and_says_why(probation, police, person):
    active_protocol(ProtocolDocumentFactory(clauses=[ClauseDocumentFactory(categories=["intelligence"])]))
    untrained = StaffMemberFactory(username="untrained", agency=probation)
    request = ask(services, untrained, person)
    assert request.purpose_was_covered and request.covered_by_protocol
    assert request.refusal_reason == RefusalReason.TRAINING_NOT_CURRENT


def test_asking_for_what_a_protocol_already_shows_is_refused_and_nothing_is_kept(probation, police, person):
    clause = ClauseDocumentFactory(categories=["intelligence"], max_sensitivity="OFFICIAL-SENSITIVE")
    active_protocol(ProtocolDocumentFactory(clauses=[clause]))
    vetted = StaffMemberFactory(
        username="trained",
        agency=probation,
        vetting_level=VettingLevel.NPPV3_SC,
        vetting_expires_on=timezone.localdate() + dt.timedelta(days=365),
    )
    trained = train(vetted, "information_sharing")
    with pytest.raises(InvalidInput) as raised:
        ask(services, trained, person)
    assert (
        "You can already see Northshire Police's police intelligence" in raised.value.field_errors["category"]
    )
    assert not InformationRequest.objects.exists() and not entries(Action.REQUEST_MADE)


def test_asking_for_more_sensitive_items_than_a_clause_shares_is_allowed_and_covered(
    probation, police, person
):
    active_protocol(ProtocolDocumentFactory(clauses=[ClauseDocumentFactory(categories=["intelligence"])]))
    trained = train(StaffMemberFactory(username="trained", agency=probation), "information_sharing")
    request = ask(services, trained, person)
    assert request.covered_by_protocol and request.refusal_reason == RefusalReason.TOO_SENSITIVE


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"holding_agency": "ambulance"}, "holding_agency", "'ambulance' is not an agency"),
        ({"holding_agency": ""}, "holding_agency", "Choose the agency"),
        ({"holding_agency": "probation"}, "holding_agency", "your own agency's information"),
        ({"category": "horoscopes"}, "category", "'horoscopes' is not a category"),
        ({"purpose": "curiosity"}, "purpose", "'curiosity' is not a purpose"),
        ({"legal_gateway": "magna-carta"}, "legal_gateway", "'magna-carta' is not a legal gateway"),
        ({"justification": ""}, "justification", "Explain why you need the information"),
        ({"justification": "need it"}, "justification", "at least 25 characters"),
        ({"urgency": "yesterday"}, "urgency", "Choose how urgently"),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(
    probation_officer, police_ig, person, overrides, field, message
):
    with pytest.raises(InvalidInput) as raised:
        ask(services, probation_officer, person, **overrides)
    assert message in raised.value.field_errors[field]
    assert not InformationRequest.objects.exists()
    assert not entries(Action.REQUEST_MADE) and not Notification.objects.exists()


def test_every_bad_field_is_reported_at_once(probation_officer, police, person):
    with pytest.raises(InvalidInput) as raised:
        ask(services, probation_officer, person, category="", purpose="", legal_gateway="", justification="")
    assert set(raised.value.field_errors) == {"category", "purpose", "legal_gateway", "justification"}


def test_volunteers_cannot_ask_for_one_off_disclosures(probation, person):
    volunteer = StaffMemberFactory(username="vol", agency=probation, role=Role.VOLUNTEER, is_volunteer=True)
    with pytest.raises(NotPermitted, match="Volunteers cannot ask"):
        ask(services, volunteer, person)
    assert not InformationRequest.objects.exists()


def test_the_holding_agencys_ig_lead_approves_named_items_until_a_date(
    probation_officer, police_ig, person, intelligence_items
):
    request = ask(services, probation_officer, person)
    first, _second = intelligence_items
    until = timezone.localdate() + dt.timedelta(days=28)
    services.approve_request(request, by=police_ig, item_ids=[str(first.pk)], expires_on=until)
    request.refresh_from_db()
    assert request.status == RequestStatus.APPROVED and request.expires_on == until
    assert request.decided_by == police_ig
    assert list(ApprovedItem.objects.values_list("item_id", flat=True)) == [first.pk]
    [approved] = entries(Action.REQUEST_APPROVED)
    assert approved.actor_id == police_ig.pk and approved.item_ids == [str(first.pk)]
    assert approved.holding_agencies == ["police"] and approved.outcome == "allowed"
    assert approved.clauses == [f"information-request:{request.pk}"]
    assert approved.details["expires_on"] == until.isoformat()
    [told] = Notification.objects.filter(recipient=probation_officer)
    assert "approved your request" in told.message and "1 item" in told.message


def test_approved_items_reach_the_requester_through_the_one_door_for_that_purpose_only(
    probation_officer, police_ig, person, intelligence_items
):
    request = ask(services, probation_officer, person)
    first, _second = intelligence_items
    services.approve_request(request, by=police_ig, item_ids=[first.pk], expires_on=timezone.localdate())
    shown = records.picture_for(probation_officer, person, purpose="risk_management").items
    assert [item.pk for item in shown] == [first.pk]
    assert shown[0].basis.request_id == request.pk
    assert records.picture_for(probation_officer, person, purpose="accommodation").items == []


def test_approved_item_ids_is_one_query_and_only_for_the_requester_purpose_and_days_in_force(
    probation_officer, police_ig, person, intelligence_items, django_assert_num_queries
):
    today = timezone.localdate()
    request = ask(services, probation_officer, person)
    first, second = intelligence_items
    until = today + dt.timedelta(days=3)
    services.approve_request(request, by=police_ig, item_ids=[first.pk, second.pk], expires_on=until)
    with django_assert_num_queries(1):
        found = selectors.approved_item_ids(probation_officer, person.pk, "risk_management", on=until)
    assert found == {first.pk: request.pk, second.pk: request.pk}
    assert (
        selectors.approved_item_ids(
            probation_officer, person.pk, "risk_management", on=until + dt.timedelta(days=1)
        )
        == {}
    )
    assert selectors.approved_item_ids(probation_officer, person.pk, "accommodation", on=today) == {}
    assert selectors.approved_item_ids(probation_officer, person.pk, None, on=today) == {}
    colleague = StaffMemberFactory(username="colleague", agency=probation_officer.agency)
    assert selectors.approved_item_ids(colleague, person.pk, "risk_management", on=today) == {}


def test_an_expired_approval_stops_disclosing(probation_officer, police_ig, person, intelligence_items):
    today = timezone.localdate()
    request = ask(services, probation_officer, person)
    services.approve_request(request, by=police_ig, item_ids=[intelligence_items[0].pk], expires_on=today)
    assert records.picture_for(probation_officer, person, purpose="risk_management").items
    InformationRequest.objects.filter(pk=request.pk).update(expires_on=today - dt.timedelta(days=1))
    assert records.picture_for(probation_officer, person, purpose="risk_management").items == []
    request.refresh_from_db()
    assert request.shown_status == "Expired"


def test_a_withdrawn_approval_stops_disclosing(probation_officer, police_ig, person, intelligence_items):
    request = ask(services, probation_officer, person)
    services.approve_request(
        request, by=police_ig, item_ids=[intelligence_items[0].pk], expires_on=timezone.localdate()
    )
    with pytest.raises(InvalidInput):
        services.withdraw_approval(request, by=police_ig, reason="")
    services.withdraw_approval(request, by=police_ig, reason="The intelligence is being re-graded.")
    assert records.picture_for(probation_officer, person, purpose="risk_management").items == []
    [withdrawn] = entries(Action.REQUEST_WITHDRAWN)
    assert withdrawn.item_ids == [str(intelligence_items[0].pk)]


@pytest.mark.parametrize("who", ["requester", "requester_agency_ig", "police_practitioner", "other_ig"])
def test_only_the_holding_agencys_ig_lead_may_decide(
    who, probation_officer, probation_ig, officer, police_ig, person, intelligence_items
):
    request = ask(services, probation_officer, person)
    deciders = {
        "requester": probation_officer,
        "requester_agency_ig": probation_ig,
        "police_practitioner": officer,
        "other_ig": StaffMemberFactory(username="council.ig", role=Role.IG_LEAD),
    }
    with pytest.raises(NotPermitted):
        services.approve_request(
            request, by=deciders[who], item_ids=[intelligence_items[0].pk], expires_on=timezone.localdate()
        )
    with pytest.raises(NotPermitted):
        services.refuse_request(request, by=deciders[who], reason="Not necessary for the purpose given.")
    request.refresh_from_db()
    assert request.status == RequestStatus.AWAITING_DECISION
    assert not ApprovedItem.objects.exists() and not entries(Action.REQUEST_APPROVED)


@pytest.mark.parametrize(
    ("item_ids", "expires_in", "field", "message"),
    [
        ([], 28, "item_ids", "Select at least one item"),
        (["not-a-uuid"], 28, "item_ids", "not-a-uuid is not one of them"),
        ("custody", 28, "item_ids", "is not one of them"),
        ("first", None, "expires_on", "Enter the date the approval ends"),
        ("first", -1, "expires_on", "today or in the future"),
        ("first", 366, "expires_on", "within a year"),
    ],
)
def test_a_bad_approval_names_the_field_and_changes_nothing(
    probation_officer, police_ig, person, intelligence_items, item_ids, expires_in, field, message
):
    from iomshare.records.models import Category

    request = ask(services, probation_officer, person)
    if item_ids == "first":
        item_ids = [intelligence_items[0].pk]
    elif item_ids == "custody":
        custody = records.picture_for(police_ig, person, purpose=None).items
        item_ids = [i.pk for i in custody if i.category_id == Category.objects.get(code="custody").pk]
    expires_on = None if expires_in is None else timezone.localdate() + dt.timedelta(days=expires_in)
    with pytest.raises(InvalidInput) as raised:
        services.approve_request(request, by=police_ig, item_ids=item_ids, expires_on=expires_on)
    assert message in raised.value.field_errors[field]
    request.refresh_from_db()
    assert request.status == RequestStatus.AWAITING_DECISION and request.expires_on is None
    assert not ApprovedItem.objects.exists() and not entries(Action.REQUEST_APPROVED)
    assert not Notification.objects.filter(recipient=probation_officer).exists()


def test_a_year_to_the_day_is_the_longest_approval(probation_officer, police_ig, person, intelligence_items):
    request = ask(services, probation_officer, person)
    latest = timezone.localdate() + dt.timedelta(days=services.MAX_APPROVAL_DAYS)
    services.approve_request(request, by=police_ig, item_ids=[intelligence_items[0].pk], expires_on=latest)
    assert InformationRequest.objects.get(pk=request.pk).expires_on == latest


def test_a_refusal_needs_a_reason_and_is_told_to_the_requester(probation_officer, police_ig, person):
    request = ask(services, probation_officer, person)
    for reason in ("", "   ", "No."):
        with pytest.raises(InvalidInput) as raised:
            services.refuse_request(request, by=police_ig, reason=reason)
        assert "reason" in raised.value.field_errors
    assert InformationRequest.objects.get(pk=request.pk).status == RequestStatus.AWAITING_DECISION
    assert not entries(Action.REQUEST_REFUSED)
    services.refuse_request(request, by=police_ig, reason="Live operation: disclosure would prejudice it.")
    request.refresh_from_db()
    assert request.status == RequestStatus.REFUSED
    [refused] = entries(Action.REQUEST_REFUSED)
    assert refused.outcome == "refused" and refused.details["reason"].startswith("Live operation")
    [told] = Notification.objects.filter(recipient=probation_officer)
    assert "refused your request" in told.message and "Live operation" in told.message


def test_a_decided_request_cannot_be_decided_again(probation_officer, police_ig, person, intelligence_items):
    request = ask(services, probation_officer, person)
    services.refuse_request(request, by=police_ig, reason="Not necessary for the purpose given.")
    with pytest.raises(InvalidInput, match="already decided"):
        services.approve_request(
            request, by=police_ig, item_ids=[intelligence_items[0].pk], expires_on=timezone.localdate()
        )
    assert InformationRequest.objects.get(pk=request.pk).status == RequestStatus.REFUSED
    assert not ApprovedItem.objects.exists()
