"""Each step of a subject access request: who may take it, what it changes, and its ledger entry."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from iomshare.alerts.models import Notification
from iomshare.errors import InvalidInput, NotFound, NotPermitted
from iomshare.ledger.models import Action, LedgerEntry
from iomshare.partnership.models import Role
from iomshare.people.models import AccessListEntry, AccessListKind
from iomshare.records import selectors as records
from iomshare.subject_access import deadlines, services
from iomshare.subject_access.models import Exemption, Outcome, RequestStatus
from tests.factories import StaffMemberFactory

pytestmark = pytest.mark.django_db

FIELDS = {"summary", "details", "risk_level", "victim_name"}


def steps():
    return [
        e.details.get("step")
        for e in LedgerEntry.objects.filter(action=Action.SUBJECT_ACCESS).order_by("at", "id")
    ]


@pytest.fixture
def sar(person, police_ig, received_on):
    return services.record_request(person, received_on=received_on, made_by="person", by=police_ig)


@pytest.fixture
def checked(sar, police_ig, probation_ig, holdings):
    return services.record_identity_check(
        sar, checked_on=sar.received_on, method="Passport seen", by=police_ig
    )


def fields_of(item):
    return {name for name, _ in records.item_fields(item)}


def test_recording_a_request_sets_the_one_month_due_date_and_is_on_the_ledger(sar, received_on):
    assert sar.due_on == deadlines.due_on(received_on)
    assert sar.status == RequestStatus.AWAITING_IDENTITY and sar.coordinating_agency.code == "police"
    assert steps() == ["received"]


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.PARTNERSHIP_MANAGER, Role.ADMIN, Role.VOLUNTEER])
def test_only_an_ig_lead_records_a_request(person, police, role, received_on):
    with pytest.raises(NotPermitted):
        services.record_request(
            person, received_on=received_on, made_by="person", by=StaffMemberFactory(agency=police, role=role)
        )
    assert steps() == []


def test_a_request_in_the_future_or_without_who_made_it_is_refused_and_nothing_recorded(person, police_ig):
    with pytest.raises(InvalidInput) as error:
        services.record_request(
            person, received_on=timezone.localdate() + dt.timedelta(days=1), made_by="", by=police_ig
        )
    assert set(error.value.field_errors) == {"received_on", "made_by"}
    assert steps() == []


def test_an_ig_lead_excluded_from_the_person_cannot_record_a_request(person, police_ig, received_on, police):
    AccessListEntry.objects.create(
        person=person,
        kind=AccessListKind.EXCLUSION,
        staff_member=police_ig,
        reason="Relative",
        added_by=police_ig,
    )
    with pytest.raises(NotFound):
        services.record_request(person, received_on=received_on, made_by="person", by=police_ig)


def test_the_identity_check_sends_the_request_to_every_holding_agency_and_tells_their_ig_leads(
    checked, probation_ig, charity_ig
):
    assert checked.status == RequestStatus.WITH_CONTROLLERS
    assert sorted(r.agency.code for r in checked.responses.all()) == ["police", "probation"]
    assert [n.recipient for n in Notification.objects.all()] == [probation_ig]
    assert steps() == ["received", "identity_checked"]


def test_the_identity_check_needs_how_and_when(sar, police_ig):
    with pytest.raises(InvalidInput) as error:
        services.record_identity_check(sar, checked_on=None, method=" ", by=police_ig)
    assert set(error.value.field_errors) == {"checked_on", "method"}
    sar.refresh_from_db()
    assert sar.status == RequestStatus.AWAITING_IDENTITY


def test_only_the_coordinator_checks_identity(sar, probation_ig):
    with pytest.raises(NotPermitted):
        services.record_identity_check(sar, checked_on=sar.received_on, method="Passport", by=probation_ig)


def test_a_late_proof_of_identity_moves_the_deadline(sar, police_ig, holdings):
    proved = timezone.localdate()
    services.record_identity_check(sar, checked_on=proved, method="Driving licence", by=police_ig)
    assert sar.due_on == deadlines.due_on(sar.received_on, identity_proved_on=proved)


def test_the_deadline_extends_by_two_months_at_most_with_a_reason(checked, police_ig):
    with pytest.raises(InvalidInput) as error:
        services.extend_deadline(checked, months=1, reason="", by=police_ig)
    assert "reason" in error.value.field_errors
    services.extend_deadline(checked, months=1, reason="Records held by four agencies", by=police_ig)
    services.extend_deadline(checked, months=1, reason="Still complex", by=police_ig)
    assert checked.due_on == deadlines.due_on(
        checked.received_on, identity_proved_on=checked.identity_checked_on, extension_months=2
    )
    with pytest.raises(InvalidInput) as error:
        services.extend_deadline(checked, months=1, reason="More", by=police_ig)
    assert "two months the law allows" in error.value.field_errors["months"]
    assert steps().count("extended") == 2


def test_each_ig_lead_reads_only_their_own_agencys_items(checked, police_ig, probation_ig, holdings):
    police = {i.summary for i in records.subject_access_own_items(checked, by=police_ig)}
    probation = {i.summary for i in records.subject_access_own_items(checked, by=probation_ig)}
    assert police == {"MARKER-police-intelligence", "MARKER-police-no-onward-sharing"}
    assert probation == {"MARKER-probation-risk-summary", "MARKER-probation-restricted"}


def test_an_agency_without_a_part_reads_nothing(checked, charity_ig):
    with pytest.raises(NotPermitted):
        records.subject_access_own_items(checked, by=charity_ig)
    with pytest.raises(NotPermitted):
        records.subject_access_released_items(checked, by=charity_ig)


def test_a_controller_cannot_decide_on_another_agencys_item(checked, probation_ig, holdings):
    with pytest.raises(NotFound):
        services.decide_item(
            checked, holdings["intelligence"].pk, outcome=Outcome.RELEASE, fields=FIELDS, by=probation_ig
        )
    assert not LedgerEntry.objects.filter(details__contains="item_decided").exists()


@pytest.mark.parametrize(
    ("decision", "field"),
    [
        ({"outcome": ""}, "outcome"),
        ({"outcome": Outcome.EXEMPT}, "exemption"),
        ({"outcome": Outcome.EXEMPT, "exemption": Exemption.OTHER}, "exemption_named"),
        ({"outcome": Outcome.REDACT, "exemption": Exemption.THIRD_PARTY}, "redacted_fields"),
        ({"outcome": Outcome.REDACT, "redacted_fields": ["victim_name"]}, "exemption"),
        (
            {"outcome": Outcome.REDACT, "redacted_fields": ["nonsense"], "exemption": Exemption.THIRD_PARTY},
            "redacted_fields",
        ),
    ],
)
def test_an_incomplete_decision_is_refused_with_the_field_to_fix(
    checked, probation_ig, holdings, decision, field
):
    with pytest.raises(InvalidInput) as error:
        services.decide_item(checked, holdings["risk"].pk, fields=FIELDS, by=probation_ig, **decision)
    assert field in error.value.field_errors


def test_a_response_is_confirmed_only_when_every_item_is_decided_and_then_cannot_change(
    checked, probation_ig, holdings, police_ig
):
    services.decide_item(
        checked, holdings["risk"].pk, outcome=Outcome.RELEASE, fields=FIELDS, by=probation_ig
    )
    with pytest.raises(InvalidInput, match="1 item still needs a decision"):
        services.confirm_response(checked, by=probation_ig)
    services.decide_item(
        checked,
        holdings["restricted"].pk,
        outcome=Outcome.EXEMPT,
        exemption=Exemption.CRIME,
        fields=FIELDS,
        by=probation_ig,
    )
    services.confirm_response(checked, by=probation_ig)
    with pytest.raises(InvalidInput, match="already confirmed"):
        services.decide_item(
            checked,
            holdings["risk"].pk,
            outcome=Outcome.EXEMPT,
            exemption=Exemption.CRIME,
            fields=FIELDS,
            by=probation_ig,
        )
    assert [n.recipient for n in Notification.objects.filter(recipient=police_ig)] == [police_ig]


def _decide_all(checked, police_ig, probation_ig, holdings):
    services.decide_item(
        checked,
        holdings["intelligence"].pk,
        outcome=Outcome.EXEMPT,
        exemption=Exemption.CRIME,
        fields=fields_of(holdings["intelligence"]),
        by=police_ig,
    )
    services.decide_item(
        checked, holdings["no_onward"].pk, outcome=Outcome.RELEASE, fields=set(), by=police_ig
    )
    services.decide_item(
        checked,
        holdings["risk"].pk,
        outcome=Outcome.REDACT,
        redacted_fields=["victim_name"],
        exemption=Exemption.THIRD_PARTY,
        fields=fields_of(holdings["risk"]),
        by=probation_ig,
    )
    services.decide_item(
        checked,
        holdings["restricted"].pk,
        outcome=Outcome.EXEMPT,
        exemption=Exemption.OTHER,
        exemption_named="DPA 2018 section 45(4)(e) (rights of others)",
        fields=FIELDS,
        by=probation_ig,
    )


def test_the_pack_cannot_be_assembled_before_every_agency_has_confirmed(
    checked, police_ig, probation_ig, holdings
):
    _decide_all(checked, police_ig, probation_ig, holdings)
    services.confirm_response(checked, by=police_ig)
    with pytest.raises(InvalidInput) as error:
        services.assemble_pack(checked, by=police_ig)
    assert "Probation Service North" in error.value.field_errors["assemble"]


def test_the_pack_holds_only_what_each_controller_released_with_redactions(
    checked, police_ig, probation_ig, holdings
):
    _decide_all(checked, police_ig, probation_ig, holdings)
    services.confirm_response(checked, by=police_ig)
    services.confirm_response(checked, by=probation_ig)
    with pytest.raises(NotPermitted):
        services.assemble_pack(checked, by=probation_ig)  # not the coordinator
    services.assemble_pack(checked, by=police_ig)
    released = {item.summary: item for item in records.subject_access_released_items(checked, by=police_ig)}
    assert set(released) == {"MARKER-police-no-onward-sharing", "MARKER-probation-risk-summary"}
    answers = dict(released["MARKER-probation-risk-summary"].answers)
    assert answers == {"Risk level": "medium", "Victim name": "[Redacted]"}
    with pytest.raises(NotPermitted):
        records.subject_access_released_items(checked, by=probation_ig)  # only the coordinator assembles


def test_release_records_the_date_sent_and_closes_the_request(checked, police_ig, probation_ig, holdings):
    _decide_all(checked, police_ig, probation_ig, holdings)
    services.confirm_response(checked, by=police_ig)
    services.confirm_response(checked, by=probation_ig)
    with pytest.raises(InvalidInput):
        services.release_pack(checked, sent_on=timezone.localdate(), by=police_ig)  # not assembled yet
    services.assemble_pack(checked, by=police_ig)
    with pytest.raises(InvalidInput) as error:
        services.release_pack(checked, sent_on=timezone.localdate() + dt.timedelta(days=1), by=police_ig)
    assert "sent_on" in error.value.field_errors
    services.release_pack(checked, sent_on=timezone.localdate(), by=police_ig)
    assert checked.status == RequestStatus.RELEASED
    assert steps() == [
        "received",
        "identity_checked",
        "item_decided",
        "item_decided",
        "item_decided",
        "item_decided",
        "response_confirmed",
        "response_confirmed",
        "assembled",
        "released",
    ]
    decided = LedgerEntry.objects.filter(
        action=Action.SUBJECT_ACCESS, item_ids__contains=str(holdings["intelligence"].pk)
    )
    assert any(e.details.get("exemption") == Exemption.CRIME.label for e in decided)


def test_an_unknown_item_id_is_refused(checked, police_ig):
    with pytest.raises(NotFound):
        services.decide_item(checked, uuid.uuid4(), outcome=Outcome.RELEASE, fields=set(), by=police_ig)


def test_the_pack_says_which_other_agencies_received_each_released_item(
    checked, police_ig, probation_ig, holdings, officer, probation_officer
):
    from iomshare.ledger import services as ledger
    from iomshare.subject_access.selectors import pack_for

    ledger.record(Action.VIEW, by=probation_officer, person=checked.person_id, items=[holdings["no_onward"]])
    ledger.record(Action.VIEW, by=officer, person=checked.person_id, items=[holdings["no_onward"]])
    _decide_all(checked, police_ig, probation_ig, holdings)
    services.confirm_response(checked, by=police_ig)
    services.confirm_response(checked, by=probation_ig)
    services.assemble_pack(checked, by=police_ig)
    shared = {entry.item.summary: entry.shared_with for entry in pack_for(checked, by=police_ig).entries}
    assert shared["MARKER-police-no-onward-sharing"] == ["Probation Service North"]  # not its own holder
    assert shared["MARKER-probation-risk-summary"] == []
