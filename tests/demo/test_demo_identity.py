"""The demo's people are what linkage resolved from each agency's records, duplicates and doubts included."""

import datetime as dt
from collections import Counter, defaultdict

import pytest
from django.db.models import QuerySet

from iomshare.demo import Scale
from iomshare.demo import load_demo as load_demo_with_everything
from iomshare.demo.cohort import HAND_KEYED, demo_records
from iomshare.identity.models import ConflictCase, LinkageModel, Merge, ReviewCase, ReviewStatus, SourceRecord
from iomshare.people.models import CohortMembership, Person
from tests.demo.conftest import generated_items

TODAY = dt.date(2026, 3, 2)
SEED = 2026
SCALE = Scale(people=100, items=400)


@pytest.fixture
def demo(db):
    load_demo_with_everything(seed=SEED, scale=SCALE, today=TODAY, with_protocols_and_vocabulary=False)


def _truth() -> dict[tuple[str, str], int]:
    """Which generated person each received record truly describes."""
    return {
        (record.agency, record.record_key): record.person_key
        for record in demo_records(SCALE.people, seed=SEED)
    }


def _generated() -> QuerySet[SourceRecord]:
    """The agencies' generated records (not the one booking the demo keys by hand to show a conflict)."""
    return SourceRecord.objects.exclude(provenance=HAND_KEYED)


def test_every_agency_record_was_received_and_resolved_to_a_person(demo):
    truth = _truth()
    received = list(_generated().values_list("agency__code", "record_key", "person_id"))
    # The generator's bare records (a name and nothing else) are refused, as a real agency's would be.
    assert 0.97 * len(truth) <= len(received) <= len(truth)
    assert all((code, key) in truth for code, key, _ in received)
    # Each record is resolved to a person, or waits (too bare to link) in the cannot-match-yet queue.
    waiting = set(SourceRecord.objects.exclude(waiting_reason="").values_list("agency__code", "record_key"))
    assert all(person_id is not None or (code, key) in waiting for code, key, person_id in received)
    assert LinkageModel.objects.filter(is_active=True).count() == 1


def test_duplicates_across_and_within_agencies_are_resolved_into_one_person(demo):
    truth = _truth()
    people_of: dict[int, set] = defaultdict(set)
    truths_of: dict[object, set[int]] = defaultdict(set)
    records_per_person = Counter()
    resolved = _generated().filter(person__isnull=False)
    for code, key, person_id in resolved.values_list("agency__code", "record_key", "person_id"):
        people_of[truth[code, key]].add(person_id)
        truths_of[person_id].add(truth[code, key])
        records_per_person[person_id] += 1
    # Nearly every generated person is one person in the demo, and a person is one generated person,
    # twins included (a cluster holding two is re-cut and flagged rather than merged).
    assert sum(len(people) == 1 for people in people_of.values()) >= 0.9 * len(people_of)
    assert all(len(truths) == 1 for truths in truths_of.values())
    assert max(records_per_person.values()) >= 4
    # Real duplicates: one person resolved from records whose names or dates of birth disagree.
    disagreeing = [
        person_id
        for person_id in records_per_person
        if len(
            set(SourceRecord.objects.filter(person_id=person_id).values_list("given_key", "date_of_birth"))
        )
        > 1
    ]
    assert len(disagreeing) >= 5
    # Nobody was merged: the first link of a partnership's records creates its people directly.
    assert not Merge.objects.exists()


def test_uncertain_pairs_wait_for_review_and_conflicts_need_attention(demo):
    model = LinkageModel.objects.latest("trained_at")
    cases = ReviewCase.objects.filter(status=ReviewStatus.OPEN).select_related("record_a", "record_b")
    assert cases.exists()
    for case in cases:
        assert case.record_a.person_id != case.record_b.person_id
        assert 0.5 <= case.match_probability < model.upper_threshold
    conflicts = ConflictCase.objects.filter(resolved_at__isnull=True)
    assert conflicts.exists()
    for conflict in conflicts:
        assert conflict.reasons
        assert len(conflict.groups) > 1  # the groups that conflict were kept apart
        people = [
            set(SourceRecord.objects.filter(pk__in=group).values_list("person_id", flat=True))
            for group in conflict.groups
        ]
        assert all(len(group) == 1 for group in people)
        assert len(set.union(*people)) == len(people)


def test_each_generated_person_is_enrolled_once_and_items_sit_with_an_agency_that_holds_their_record(demo):
    # The generator's members (the selection panel's accepted referral joined later, through the panel).
    generated = CohortMembership.objects.filter(referral__isnull=True)
    members = list(generated.values_list("person_id", flat=True))
    assert len(members) == len(set(members)) == SCALE.people
    assert Person.objects.count() > SCALE.people  # records left apart for review are people of their own
    holding = set(SourceRecord.objects.values_list("person_id", "agency_id"))
    items = list(generated_items().values_list("person_id", "holding_agency_id"))
    assert len(items) == SCALE.items
    assert all(item in holding for item in items)
    assert {person_id for person_id, _ in items} <= set(members)
