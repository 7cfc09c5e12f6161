"""Linking, reviewers' rulings, merge and unmerge, conflicts, and a new record matched on arrival."""

import pytest

from iomshare.errors import InvalidInput
from iomshare.identity import services
from iomshare.identity.models import (
    Confidence,
    ConflictCase,
    EventKind,
    HoldingAgencyNotice,
    LinkageModel,
    Merge,
    MergeReason,
    Outcome,
    ResolutionEvent,
    ReviewCase,
    SourceRecord,
)
from iomshare.ledger.models import Action, LedgerEntry
from iomshare.people.models import AgencyIdentifier, CohortMembership, Person
from tests.factories import CohortMembershipFactory, InformationItemFactory

JORDAN = {
    "given_name": "Jordan",
    "family_name": "Whitlock",
    "date_of_birth": "1990-05-17",
    "sex": "M",
    "postcode": "LS1 4AP",
}


def _person(record: SourceRecord) -> Person:
    record.refresh_from_db()
    return record.person


def test_linking_resolves_one_persons_records_across_agencies_into_one_person(
    receive, reviewer, active_model
):
    police = receive(
        "police",
        "POL-1",
        **{**JORDAN, "given_name": "JORDAN", "family_name": "WHITLOCK"},
        identifiers={"pnc": "12/12345A"},
    )
    probation = receive("probation", "CRN-1", **JORDAN, identifiers={"pnc": "2012/0012345A"})
    health = receive(
        "health", "GP-1", **{**JORDAN, "given_name": "Jordon"}, identifiers={"nhs": "9434765919"}
    )
    stranger = receive(
        "council",
        "HOU-1",
        given_name="Casey",
        family_name="Marlow",
        date_of_birth="1985-02-01",
        postcode="BD5 1AA",
    )
    run = services.link_records(by=reviewer)
    assert _person(police) == _person(probation) == _person(health) != _person(stranger)
    assert run.people_created == 2
    person = _person(police)
    assert set(AgencyIdentifier.objects.filter(person=person).values_list("scheme", "value")) == {
        ("pnc", "2012/0012345A"),
        ("nhs", "9434765919"),
    }
    again = services.link_records(by=reviewer)
    assert (again.people_created, again.merges, again.review_cases) == (0, 0, 0)


def test_a_keep_apart_ruling_separates_the_records_and_later_linking_respects_it(
    receive, reviewer, active_model
):
    first = receive("police", "POL-1", **JORDAN)
    second = receive("probation", "CRN-1", **JORDAN)
    services.link_records(by=reviewer)
    assert _person(first) == _person(second)
    services.decide(
        first,
        second,
        outcome=Outcome.DIFFERENT,
        confidence=Confidence.CERTAIN,
        rationale="Checked with custody: brothers",
        by=reviewer,
    )
    assert _person(first) != _person(second)
    run = services.link_records(by=reviewer)
    assert _person(first) != _person(second)
    assert run.merges == 0 and not ConflictCase.objects.exists()


def test_a_same_person_ruling_merges_now_and_later_linking_keeps_them_together(
    receive, reviewer, active_model
):
    first = receive("police", "POL-1", **JORDAN)
    second = receive(
        "charity",
        "SCM-1",
        given_name="J",
        family_name="Whitlock-Brown",
        date_of_birth="1991-02-03",
        postcode="WF1 1AA",
    )
    services.link_records(by=reviewer)
    assert _person(first) != _person(second)
    services.decide(
        first,
        second,
        outcome=Outcome.SAME,
        confidence=Confidence.LIKELY,
        rationale="Mentor confirmed",
        by=reviewer,
    )
    assert _person(first) == _person(second)
    assert Merge.objects.get().reason == MergeReason.REVIEW
    services.link_records(by=reviewer)
    assert _person(first) == _person(second)


def _state():
    """Who holds what: every identifier, membership, item and source record, and each person's details."""
    return {
        "identifiers": sorted(AgencyIdentifier.objects.values_list("pk", "person_id")),
        "memberships": sorted(CohortMembership.objects.values_list("pk", "person_id")),
        "items": sorted(
            (str(i), str(p))
            for i, p in InformationItemFactory._meta.model.objects.values_list("pk", "person_id")
        ),
        "records": sorted(SourceRecord.objects.values_list("pk", "person_id")),
        "people": sorted(Person.objects.values_list("pk", "given_name", "family_name", "date_of_birth")),
    }


def test_merge_then_unmerge_restores_exactly_the_state_before(receive, reviewer, agencies):
    first = receive("police", "POL-1", **JORDAN, identifiers={"pnc": "2012/0012345A"})
    second = receive(
        "health",
        "GP-1",
        given_name="Jordan",
        family_name="Whitlock",
        postcode="LS1 4AP",
        identifiers={"nhs": "9434765919"},
    )
    services._new_person_for([first], by=None)
    services._new_person_for([second], by=None)
    survivor, absorbed = _person(first), _person(second)
    absorbed.date_of_birth = None
    absorbed.save()
    CohortMembershipFactory(person=survivor, lead_agency=agencies["police"])
    CohortMembershipFactory(person=absorbed, lead_agency=agencies["health"])
    InformationItemFactory(person=survivor, holding_agency=agencies["police"])
    InformationItemFactory(person=absorbed, holding_agency=agencies["health"])
    InformationItemFactory(person=absorbed, holding_agency=agencies["health"])
    before = _state()

    merge = services.merge_people(
        survivor, absorbed, reason=MergeReason.REVIEW, by=reviewer, rationale="same"
    )
    during = _state()
    assert {p for _, p in during["identifiers"]} == {survivor.pk}
    assert {p for _, p in during["memberships"]} == {survivor.pk}
    assert {p for _, p in during["items"]} == {str(survivor.pk)}
    assert (len(merge.moved["items"]), len(merge.moved["identifiers"]), len(merge.moved["memberships"])) == (
        2,
        1,
        1,
    )

    services.unmerge(merge, by=reviewer, rationale="Different people: NHS spine check")
    assert _state() == before
    assert Merge.objects.get().is_undone
    with pytest.raises(InvalidInput, match="already been undone"):
        services.unmerge(merge, by=reviewer, rationale="again")


def test_an_unmerge_needs_a_reason_and_changes_nothing_without_one(receive, reviewer):
    first, second = receive("police", "POL-1", **JORDAN), receive("probation", "CRN-1", **JORDAN)
    services._new_person_for([first], by=None)
    services._new_person_for([second], by=None)
    merge = services.merge_people(_person(first), _person(second), reason=MergeReason.REVIEW, by=reviewer)
    before = _state()
    with pytest.raises(InvalidInput) as raised:
        services.unmerge(merge, by=reviewer, rationale="  ")
    assert raised.value.field_errors == {"rationale": "Enter the reason"}
    assert _state() == before


def test_two_different_nhs_numbers_flag_the_cluster_instead_of_merging_it(receive, reviewer, active_model):
    police = receive("police", "POL-1", **JORDAN, identifiers={"pnc": "2012/0012345A"})
    health = receive("health", "GP-1", **JORDAN, identifiers={"nhs": "9434765919"})
    council = receive("council", "HOU-1", **JORDAN, identifiers={"nhs": "9990000018"})
    run = services.link_records(by=reviewer)
    case = ConflictCase.objects.get()
    assert "two different NHS numbers" in case.reasons
    assert set(case.records.values_list("pk", flat=True)) == {police.pk, health.pk, council.pk}
    assert _person(health) != _person(council)
    assert run.conflicts == 1
    flagged = ResolutionEvent.objects.get(kind=EventKind.FLAGGED)
    assert flagged.summary.startswith("Not merged, needs attention: ")
    assert set(flagged.records.values_list("pk", flat=True)) == {police.pk, health.pk, council.pk}
    services.link_records(by=reviewer)
    assert ConflictCase.objects.count() == 1  # the same conflict is not raised twice
    assert ResolutionEvent.objects.filter(kind=EventKind.FLAGGED).count() == 1


def test_twins_are_flagged_as_needing_attention_not_merged(receive, reviewer, active_model):
    base = {"family_name": "Brookes", "date_of_birth": "2001-03-09", "sex": "M", "postcode": "HX1 2AB"}
    jack = receive("council", "HOU-1", given_name="Jack", **base)
    harry = receive("charity", "SCM-1", given_name="Harry", **base)
    jack_again = receive("police", "POL-1", given_name="JACK", **{**base, "family_name": "BROOKES"})
    services.link_records(by=reviewer)
    case = ConflictCase.objects.get()
    assert any("possible twins" in reason for reason in case.reasons)
    assert _person(jack) != _person(harry)
    assert _person(jack) == _person(jack_again)


def test_a_new_record_is_linked_on_arrival_without_retraining(receive, agencies, reviewer, active_model):
    existing = receive("police", "POL-1", **JORDAN, identifiers={"pnc": "2012/0012345A"})
    receive(
        "council",
        "HOU-9",
        given_name="Casey",
        family_name="Marlow",
        date_of_birth="1985-02-01",
        postcode="BD5 1AA",
    )
    services.link_records(by=reviewer)
    arrival = services.receive_record(
        agency=agencies["prison"],
        data={
            "record_key": "HMP-1",
            **JORDAN,
            "given_name": "JORDAN",
            "identifiers": {"pnc": "2012/0012345A", "nomis": "A1234BC"},
        },
        provenance="test",
    )
    assert arrival.outcome == "linked"
    assert arrival.record.person == _person(existing)
    # Its speed is measured in bench/identity_bench.py (no timed assertions here); here only that
    # no retraining happened: the one saved model is still the only one.
    assert LinkageModel.objects.get() == active_model


def test_an_uncertain_new_record_waits_for_review_as_a_person_of_its_own(
    receive, agencies, reviewer, active_model
):
    existing = receive("police", "POL-1", **JORDAN)
    services.link_records(by=reviewer)
    arrival = services.receive_record(
        agency=agencies["health"],
        data={"record_key": "GP-1", **JORDAN, "date_of_birth": "1990-05-28", "postcode": "BD5 1AA"},
        provenance="test",
    )
    assert arrival.outcome == "review"
    assert arrival.record.person != _person(existing)
    case = ReviewCase.objects.get()
    assert {case.record_a_id, case.record_b_id} == {existing.pk, arrival.record.pk}


def test_holding_agencies_are_told_when_their_records_are_merged_and_split(
    receive, reviewer, police_lead, active_model
):
    police = receive("police", "POL-1", **JORDAN)
    charity = receive(
        "charity",
        "SCM-1",
        given_name="J",
        family_name="Whitlock-Brown",
        date_of_birth="1991-02-03",
        postcode="WF1 1AA",
    )
    services.link_records(by=reviewer)
    services.decide(
        police,
        charity,
        outcome=Outcome.SAME,
        confidence=Confidence.LIKELY,
        rationale="Mentor confirmed",
        by=reviewer,
    )
    merged = HoldingAgencyNotice.objects.filter(kind="merged")
    assert set(merged.values_list("agency__code", flat=True)) == {"police", "charity"}
    assert police_lead.notifications.filter(message__contains="POL-1").exists()
    services.unmerge(Merge.objects.get(), by=reviewer, rationale="Wrong person")
    assert set(HoldingAgencyNotice.objects.filter(kind="split").values_list("agency__code", flat=True)) == {
        "police",
        "charity",
    }


def test_merges_unmerges_and_rulings_are_on_the_ledger(receive, reviewer, active_model):
    first = receive("police", "POL-1", **JORDAN)
    second = receive(
        "charity",
        "SCM-1",
        given_name="J",
        family_name="Whitlock-Brown",
        date_of_birth="1991-02-03",
        postcode="WF1 1AA",
    )
    services.link_records(by=reviewer)
    services.decide(
        first, second, outcome=Outcome.SAME, confidence=Confidence.CERTAIN, rationale="Confirmed", by=reviewer
    )
    services.unmerge(Merge.objects.get(), by=reviewer, rationale="Wrong")
    entries = LedgerEntry.objects.filter(action=Action.MERGE, actor_username="iglead")
    kinds = sorted({entry.details.get("identity") for entry in entries})
    assert kinds == ["merge"]
    assert entries.count() >= 3  # the merge, the ruling, the unmerge
    assert any("unmerge_of" in entry.details for entry in entries)
    assert any(entry.details.get("outcome") == "same" for entry in entries)


def test_only_reviewers_rule_on_matches(receive, practitioner):
    from iomshare.errors import NotPermitted

    first, second = receive("police", "POL-1", **JORDAN), receive("probation", "CRN-1", **JORDAN)
    with pytest.raises(NotPermitted):
        services.decide(
            first, second, outcome=Outcome.SAME, confidence=Confidence.CERTAIN, rationale="x", by=practitioner
        )
