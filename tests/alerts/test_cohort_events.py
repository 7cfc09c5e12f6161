"""Cohort events are written with the change; alerts say only what the recipient's door shows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from iomshare.alerts import fanout
from iomshare.alerts.models import CohortEvent, EventKind, Notification, Subscription, SubscriptionKind
from iomshare.errors import InvalidInput
from iomshare.ledger.models import Action, LedgerEntry
from iomshare.partnership.models import Role
from iomshare.people import services as people
from iomshare.people.models import AccessListEntry, AccessListKind, Tier
from iomshare.records import services
from iomshare.records.models import Category, Sensitivity
from tests.factories import StaffMemberFactory
from tests.protocols.conftest import train

pytestmark = pytest.mark.django_db


def record(officer, person, category, summary="Charged with burglary dwelling", **fields):
    return services.record_item(by=officer, person=person, category=category, summary=summary, **fields)


def test_an_item_in_a_signalling_category_writes_its_event_in_the_same_transaction(
    officer, person, offending
):
    item = record(officer, person, offending)
    event = CohortEvent.objects.get()
    assert (event.kind, event.person_id, event.item_id) == (EventKind.CHARGE, person.pk, item.pk)
    assert event.details == {"by": officer.pk}, "ids only, never content"
    with pytest.raises(RuntimeError), transaction.atomic():
        record(officer, person, offending)
        raise RuntimeError("the change is undone")
    assert CohortEvent.objects.count() == 1, "an undone change leaves no event"


def test_an_item_in_a_category_that_signals_nothing_writes_no_event(officer, person):
    record(officer, person, Category.objects.get(code="ete"), summary="Started a course")
    assert not CohortEvent.objects.exists()


def test_a_warning_marker_is_an_urgent_event(officer, person):
    record(officer, person, Category.objects.get(code="warning_marker"), summary="Weapons marker")
    assert CohortEvent.objects.get().is_urgent


def test_a_coded_answer_signals_a_missed_appointment(officer, person):
    contact = Category.objects.get(code="contact")
    record(officer, person, contact, summary="Seen", payload={"outcome": "attended_complied"})
    record(officer, person, contact, summary="No show", payload={"outcome": "failed_to_attend_unacceptable"})
    on_form = {
        "form": "contact_record",
        "version": 1,
        "answers": {"outcome": "failed_to_attend_unacceptable"},
    }
    record(officer, person, contact, summary="No show on the form", payload=on_form)
    assert list(CohortEvent.objects.values_list("kind", flat=True)) == [EventKind.MISSED_APPOINTMENT] * 2


def test_bulk_recording_writes_events_set_based(officer, person, offending):
    rows = [{"person_id": person.pk, "category_id": offending.pk, "summary": f"Charge {n}"} for n in range(7)]
    ids = services.record_items_in_bulk(rows, by=officer)
    assert sorted(CohortEvent.objects.values_list("item_id", flat=True)) == sorted(ids)


def test_the_key_worker_is_told_what_the_protocol_shares_and_the_alert_is_on_the_ledger(
    officer, person, offending, key_worker, membership, protocol
):
    item = record(officer, person, offending)
    assert fanout.fan_out() == 1
    [alert] = Notification.objects.filter(recipient=key_worker)
    assert "Charged with burglary dwelling" in alert.message and alert.kind == EventKind.CHARGE
    entry = LedgerEntry.objects.filter(action=Action.NOTIFICATION, actor_id=key_worker.pk).get()
    assert entry.item_ids == [str(item.pk)] and entry.purpose == "risk_management" and entry.clauses
    assert entry.details["channel"] == "in_app"
    assert not Notification.objects.filter(recipient=officer).exists(), (
        "the author is not told of their own item"
    )
    assert fanout.fan_out() == 0, "each event is fanned out once"


def test_a_key_worker_refused_the_content_is_told_only_who_holds_something_new(
    officer, person, offending, key_worker, membership, protocol
):
    record(officer, person, offending, sensitivity=Sensitivity.OFFICIAL_SENSITIVE)
    fanout.fan_out()
    [alert] = Notification.objects.filter(recipient=key_worker)
    assert "burglary" not in alert.message and alert.kind == EventKind.NEW_INFORMATION
    assert alert.message.startswith(f"{officer.agency.name} has new information about Jordan Whitlock")
    entry = LedgerEntry.objects.get(action=Action.NOTIFICATION, actor_id=key_worker.pk)
    assert entry.item_ids == [] and entry.details["withheld"] == {"agency": "police", "category": "offending"}


def test_a_key_worker_no_protocol_covers_is_told_nothing_of_the_item(
    officer, person, offending, key_worker, membership
):
    record(officer, person, offending)
    fanout.fan_out()
    assert not Notification.objects.filter(recipient=key_worker).exists()
    assert not LedgerEntry.objects.filter(action=Action.NOTIFICATION).exists()


def test_an_access_list_keeps_the_person_out_of_alerts(
    officer, person, offending, key_worker, membership, protocol
):
    AccessListEntry.objects.create(
        person=person, staff_member=key_worker, kind=AccessListKind.EXCLUSION, added_by=officer
    )
    record(officer, person, offending)
    fanout.fan_out()
    assert not Notification.objects.filter(recipient=key_worker).exists()


def test_followers_tiers_and_the_lead_agencys_team_are_told_too(
    officer, police, probation, person, offending, membership, protocol
):
    follower = StaffMemberFactory(username="follower", agency=police)
    by_tier = StaffMemberFactory(username="tiered", agency=police)
    team = StaffMemberFactory(username="team", agency=police)
    Subscription.objects.create(subscriber=follower, kind=SubscriptionKind.PERSON, person=person)
    Subscription.objects.create(subscriber=by_tier, kind=SubscriptionKind.TIER, tier=membership.tier)
    Subscription.objects.create(subscriber=team, kind=SubscriptionKind.LEAD_AGENCY)
    record(officer, person, offending)
    fanout.fan_out()
    told = set(Notification.objects.values_list("recipient__username", flat=True))
    assert told == {"probation.kw", "follower", "tiered", "team"}


def test_every_transaction_that_writes_events_queues_a_fan_out(officer, person, offending):
    from django_tasks_db.models import DBTaskResult

    for _ in range(3):
        record(officer, person, offending)
    jobs = DBTaskResult.objects.filter(task_path="iomshare.alerts.fanout.fan_out_events")
    assert jobs.count() == 3, "a later change's event must not wait for someone else's fan-out"


def test_a_tier_change_tells_the_key_workers_and_a_refused_one_tells_no_one(membership, key_worker, police):
    panel = StaffMemberFactory(username="panel.chair", agency=police, role=Role.PARTNERSHIP_MANAGER)
    with pytest.raises(InvalidInput):
        people.change_tier(membership, by=panel, tier=membership.tier, reason="No change really")
    assert not CohortEvent.objects.exists(), "a refused change writes no event"

    people.change_tier(
        membership,
        by=panel,
        tier=Tier.FIXED if membership.tier != Tier.FIXED else Tier.FLEX,
        reason="Two new offences this month",
    )
    event = CohortEvent.objects.get()
    assert (event.kind, event.person_id, event.item_id) == (
        EventKind.COHORT_CHANGE,
        membership.person_id,
        None,
    )
    assert event.details == {"by": panel.pk, "change": "tier_changed"}, "ids and codes only"
    fanout.fan_out(limit=100)
    told = Notification.objects.get(recipient=key_worker)
    assert told.message == f"Cohort membership or tier changed: {membership.person.full_name}."
    assert not Notification.objects.filter(recipient=panel).exists()


def test_assigning_a_key_worker_tells_the_new_and_the_existing_key_workers(membership, key_worker, police):
    officer = train(StaffMemberFactory(username="police.kw", agency=police), "information_sharing")
    lead = StaffMemberFactory(username="police.lead", agency=police)
    people.assign_key_worker(membership, by=lead, key_worker=officer)
    assert CohortEvent.objects.get().kind == EventKind.KEY_WORKER_CHANGE
    fanout.fan_out(limit=100)
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {
        "probation.kw",
        "police.kw",
    }


def test_a_review_date_is_housekeeping_and_tells_no_one(membership, police):
    lead = StaffMemberFactory(username="police.lead", agency=police)
    people.set_review_date(membership, by=lead, review_on=membership.started_on + dt.timedelta(days=400))
    assert not CohortEvent.objects.exists()
