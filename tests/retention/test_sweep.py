"""The sweep: reviews queued, disposals done, legal holds respected; idempotent; safe to kill."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from iomshare.ledger.models import Action, LedgerEntry
from iomshare.records.models import InformationItem, ItemStatus
from iomshare.retention import services, sweep
from iomshare.retention.models import AnonymisedCount, LegalHold, RetentionReview, ReviewStatus
from tests.retention.conftest import item, schedule

TODAY = dt.date(2026, 11, 26)
LONG_AGO = dt.date(2019, 5, 5)


def status_of(found) -> str:
    return InformationItem.objects.filter(pk=found.pk).values_list("status", flat=True).get()


@pytest.fixture
def due_kinds(police, person):
    """One item due for each action at expiry, all recorded long ago, and one not yet due."""
    schedule("finance", period=2, unit="years", trigger="recorded", action="dispose")
    schedule("risk", period=2, unit="years", trigger="recorded", action="review")
    schedule("intervention", period=2, unit="years", trigger="recorded", action="anonymise")
    return {
        "dispose": item(person=person, agency=police, code="finance", recorded=LONG_AGO),
        "review": item(person=person, agency=police, code="risk", recorded=LONG_AGO),
        "anonymise": item(person=person, agency=police, code="intervention", recorded=LONG_AGO),
        "kept": item(person=person, agency=police, code="finance", recorded=TODAY - dt.timedelta(days=30)),
    }


def test_sweep_queues_reviews_disposes_and_anonymises(due_kinds):
    result = sweep.sweep(TODAY)
    assert (result.found, result.queued_for_review, result.disposed, result.anonymised) == (3, 1, 1, 1)
    assert status_of(due_kinds["dispose"]) == ItemStatus.DISPOSED
    assert status_of(due_kinds["anonymise"]) == ItemStatus.DISPOSED
    assert status_of(due_kinds["review"]) == ItemStatus.LIVE
    assert status_of(due_kinds["kept"]) == ItemStatus.LIVE
    review = RetentionReview.objects.get()
    assert review.item_id == due_kinds["review"].pk and review.status == ReviewStatus.OPEN
    assert review.due_on == dt.date(2021, 5, 5)
    assert "retention:risk:default" in review.rule
    count = AnonymisedCount.objects.get()
    assert (count.category.code, count.recorded_year, count.count) == ("intervention", 2019, 1)
    certificates = LedgerEntry.objects.filter(action=Action.DISPOSED)
    assert sorted(e.item_ids[0] for e in certificates) == sorted(
        [str(due_kinds["dispose"].pk), str(due_kinds["anonymise"].pk)]
    )


def test_a_second_sweep_finds_nothing_left_to_do(due_kinds):
    sweep.sweep(TODAY)
    entries = LedgerEntry.objects.count()
    again = sweep.sweep(TODAY)
    assert (again.found, again.queued_for_review, again.disposed, again.anonymised) == (0, 0, 0, 0)
    assert RetentionReview.objects.count() == 1
    assert AnonymisedCount.objects.get().count == 1
    assert LedgerEntry.objects.count() == entries


def test_a_dry_run_says_what_is_due_and_changes_nothing(due_kinds):
    result = sweep.sweep(TODAY, dry_run=True)
    assert (result.found, result.queued_for_review, result.disposed, result.anonymised) == (3, 1, 1, 1)
    assert not RetentionReview.objects.exists()
    assert all(status_of(found) == ItemStatus.LIVE for found in due_kinds.values())


def test_nothing_under_a_legal_hold_is_disposed_and_the_queue_says_why(due_kinds, person, police_lead):
    services.place_legal_hold(by=police_lead, person=person, reason="Civil claim 2026-CL-0142")
    result = sweep.sweep(TODAY)
    assert (result.disposed, result.anonymised, result.held) == (0, 0, 2)
    assert all(status_of(found) == ItemStatus.LIVE for found in due_kinds.values())
    held = RetentionReview.objects.filter(held_at_sweep=True)
    assert {r.item_id for r in held} == {due_kinds["dispose"].pk, due_kinds["anonymise"].pk}
    assert not LedgerEntry.objects.filter(action=Action.DISPOSED).exists()


def test_a_hold_on_one_item_protects_that_item_only(police, person, police_lead):
    schedule("finance", period=1, unit="years", trigger="recorded", action="dispose")
    held = item(person=person, agency=police, code="finance", recorded=LONG_AGO)
    other = item(person=person, agency=police, code="finance", recorded=LONG_AGO)
    services.place_legal_hold(by=police_lead, item_id=held.pk, reason="Complaint under investigation")
    sweep.sweep(TODAY)
    assert status_of(held) == ItemStatus.LIVE
    assert status_of(other) == ItemStatus.DISPOSED
    assert LegalHold.objects.get().is_active


def test_a_sweep_killed_midway_is_finished_by_running_it_again(police, person, monkeypatch):
    schedule("finance", period=1, unit="years", trigger="recorded", action="dispose")
    items = [item(person=person, agency=police, code="finance", recorded=LONG_AGO) for _ in range(5)]
    real_dispose = services.dispose
    calls = []

    def dies_on_the_second_batch(*args, **kwargs):
        calls.append(args)
        if len(calls) == 2:
            raise KeyboardInterrupt("killed")
        return real_dispose(*args, **kwargs)

    monkeypatch.setattr(services, "dispose", dies_on_the_second_batch)
    with pytest.raises(KeyboardInterrupt):
        sweep.sweep(TODAY, batch_size=2)
    statuses = [status_of(found) for found in items]
    assert statuses.count(ItemStatus.DISPOSED) == 2  # the first batch committed, the second did not
    monkeypatch.setattr(services, "dispose", real_dispose)
    rerun = sweep.sweep(TODAY, batch_size=2)
    assert rerun.found == 3 and rerun.disposed == 3
    assert all(status_of(found) == ItemStatus.DISPOSED for found in items)
    assert LedgerEntry.objects.filter(action=Action.DISPOSED).count() == 5


def test_the_command_shows_progress_and_what_it_did(due_kinds):
    out = StringIO()
    call_command("retention", "sweep", "--today", "2026-11-26", stdout=out)
    text = out.getvalue()
    assert "3 items due" in text
    assert "queue 1 for review" in text and "dispose of 1" in text and "anonymise 1" in text


def test_the_command_dry_run_changes_nothing(due_kinds):
    out = StringIO()
    call_command("retention", "sweep", "--today", "2026-11-26", "--dry-run", stdout=out)
    assert "dry run: nothing changed" in out.getvalue()
    assert not RetentionReview.objects.exists()


def test_the_command_refuses_a_date_it_cannot_read(db):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("retention", "sweep", "--today", "26/11/2026", stdout=StringIO())
