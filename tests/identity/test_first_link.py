"""The first link is set-based: records that each became a person before a model existed are merged
in bulk, with one ledger entry for the run and one notice per holding agency, exactly as merging
them pair by pair would, and each merge can still be undone on its own."""

import uuid

import pytest
from django.db import transaction

from iomshare.demo.source_records import generate
from iomshare.demo.synthetic_records import receive_synthetic_records
from iomshare.identity import merging, services
from iomshare.identity.models import HoldingAgencyNotice, Merge, MergeReason, SourceRecord
from iomshare.ledger.models import Action, LedgerEntry
from iomshare.people.models import AgencyIdentifier, CohortMembership, Person
from tests.factories import CohortMembershipFactory, InformationItemFactory

Item = InformationItemFactory._meta.model


@pytest.fixture
def arrived_before_a_model(agencies):
    """120 generated people's records, each made a person of its own on arrival (no model yet), with
    information items and cohort memberships on some of those people."""
    receive_synthetic_records(generate(120, seed=7), provenance="test")
    for record in SourceRecord.objects.filter(waiting_reason="").order_by("pk"):
        services._new_person_for([record], by=None)
    people = list(Person.objects.order_by("pk"))
    for person in people[::6]:
        InformationItemFactory(person=person, holding_agency=agencies["police"])
    for person in people[::9]:
        CohortMembershipFactory(person=person, lead_agency=agencies["police"])
    return people


def _state() -> dict:
    return {
        "records": sorted(SourceRecord.objects.values_list("pk", "person_id")),
        "identifiers": sorted(AgencyIdentifier.objects.values_list("pk", "person_id")),
        "memberships": sorted(CohortMembership.objects.values_list("pk", "person_id")),
        "items": sorted((str(i), str(p)) for i, p in Item.objects.values_list("pk", "person_id")),
        "people": sorted(
            (str(pk), given, family, dob)
            for pk, given, family, dob in Person.objects.values_list(
                "pk", "given_name", "family_name", "date_of_birth"
            )
        ),
        "merges": sorted(
            (
                str(merge.survivor_id),
                str(merge.absorbed_id),
                sorted((k, sorted(map(str, v))) for k, v in merge.moved.items()),
                sorted(merge.survivor_before.items(), key=str),
                merge.reason,
            )
            for merge in Merge.objects.all()
        ),
    }


def _one_by_one(plan, *, run, by, reason=MergeReason.AUTOMATIC):
    return [
        services.merge_people(survivor, person, reason=reason, by=by, run=run)
        for survivor, absorbed in plan
        for person in absorbed
    ]


def test_the_first_link_writes_one_ledger_entry_and_one_notice_per_holding_agency(
    arrived_before_a_model, reviewer, police_lead, active_model
):
    ledger_before = LedgerEntry.objects.filter(action=Action.MERGE).count()
    run = services.link_records(by=reviewer)
    merges = Merge.objects.filter(run=run)
    assert run.merges == merges.count() > 20
    entries = LedgerEntry.objects.filter(action=Action.MERGE)
    assert entries.count() == ledger_before + 1
    entry = entries.order_by("-id").first()
    assert entry.details["linkage_run"] == run.pk and entry.details["merges"] == run.merges
    assert entry.details["items_moved"] == sum(len(m.moved["items"]) for m in merges) > 0
    assert sorted(tuple(row) for row in entry.details["merged"]) == sorted(
        (m.pk, str(m.absorbed_id), str(m.survivor_id)) for m in merges
    )
    merged_agencies = set(
        SourceRecord.objects.filter(person__in=merges.values("survivor")).values_list("agency_id", flat=True)
    )
    notices = HoldingAgencyNotice.objects.filter(run=run)
    assert sorted(notices.values_list("agency_id", flat=True)) == sorted(merged_agencies)
    assert HoldingAgencyNotice.objects.count() == len(merged_agencies) >= 4
    assert police_lead.notifications.count() == 1
    assert f"{run.merges:,} merges" in police_lead.notifications.get().message


def test_the_set_based_first_link_gives_the_same_people_as_merging_pair_by_pair(
    arrived_before_a_model, reviewer, active_model, monkeypatch
):
    new_ids = [uuid.UUID(int=n) for n in range(1, 500)]
    with transaction.atomic():
        monkeypatch.setattr(merging, "merge_in_bulk", _one_by_one)
        pairwise = services.link_records(by=reviewer, new_person_ids=iter(new_ids))
        expected = _state()
        transaction.set_rollback(True)
    monkeypatch.undo()
    assert pairwise.merges > 20 and Merge.objects.count() == 0
    run = services.link_records(by=reviewer, new_person_ids=iter(new_ids))
    assert run.merges == pairwise.merges
    assert _state() == expected


def test_each_merge_of_a_set_based_run_can_be_undone_on_its_own(
    arrived_before_a_model, reviewer, active_model
):
    before = {
        "records": dict(SourceRecord.objects.values_list("pk", "person_id")),
        "items": dict(Item.objects.values_list("pk", "person_id")),
    }
    run = services.link_records(by=reviewer)
    merge = next(m for m in Merge.objects.filter(run=run) if m.moved["items"])
    others = {m.pk: m.moved["source_records"] for m in Merge.objects.filter(run=run).exclude(pk=merge.pk)}
    services.unmerge(merge, by=reviewer, rationale="Two people: checked with the prison")
    for record_id in merge.moved["source_records"]:
        assert SourceRecord.objects.get(pk=record_id).person_id == merge.absorbed_id
    for item_id in merge.moved["items"]:
        assert (
            Item.objects.get(pk=item_id).person_id == before["items"][uuid.UUID(item_id)] == merge.absorbed_id
        )
    for merge_id, moved in others.items():  # the run's other merges stand
        survivor = Merge.objects.get(pk=merge_id).survivor_id
        assert set(SourceRecord.objects.filter(pk__in=moved).values_list("person_id", flat=True)) == {
            survivor
        }


def test_a_run_with_nothing_to_merge_writes_no_merge_entry_and_no_notice(receive, reviewer, active_model):
    receive("police", "POL-1", given_name="Jordan", family_name="Whitlock", date_of_birth="1990-05-17")
    run = services.link_records(by=reviewer)
    assert run.merges == 0
    assert not LedgerEntry.objects.filter(action=Action.MERGE).exists()
    assert not HoldingAgencyNotice.objects.exists()
