"""Review decisions, legal holds and restriction: IG leads of the holding agency only, all on the ledger."""

import datetime as dt

import pytest
from django.utils import timezone

from iomshare.errors import InvalidInput, NotFound, NotPermitted
from iomshare.ledger.models import Action, LedgerEntry
from iomshare.partnership.models import Role
from iomshare.records.models import InformationItem, ItemStatus
from iomshare.retention import due, services, sweep
from iomshare.retention.models import ItemRetention, LegalHold, RetentionReview, ReviewStatus
from tests.factories import StaffMemberFactory
from tests.retention.conftest import item, schedule

TODAY = dt.date(2026, 11, 26)


@pytest.fixture
def review(police, person):
    schedule("risk", period=2, unit="years", trigger="recorded", action="review")
    reviewed = item(person=person, agency=police, code="risk", recorded=dt.date(2019, 1, 1))
    sweep.sweep(TODAY)
    return RetentionReview.objects.get(item_id=reviewed.pk)


def status_of(item_id) -> str:
    return InformationItem.objects.filter(pk=item_id).values_list("status", flat=True).get()


def test_retaining_needs_a_reason_and_a_future_date_and_changes_nothing_without_them(review, police_lead):
    with pytest.raises(InvalidInput) as refused:
        services.retain(review, by=police_lead, reason="  ", retain_until=None, today=TODAY)
    assert refused.value.field_errors == {
        "reason": "Enter why the information is still needed",
        "retain_until": "Enter the date to review the information again",
    }
    with pytest.raises(InvalidInput) as past:
        services.retain(review, by=police_lead, reason="Open case", retain_until=TODAY, today=TODAY)
    assert past.value.field_errors == {"retain_until": "The date to review it again must be in the future"}
    with pytest.raises(InvalidInput) as far:
        services.retain(
            review, by=police_lead, reason="Open case", retain_until=dt.date(2037, 1, 1), today=TODAY
        )
    assert "within 10 years" in far.value.field_errors["retain_until"]
    review.refresh_from_db()
    assert review.status == ReviewStatus.OPEN and not ItemRetention.objects.exists()


def test_a_retained_item_comes_back_to_the_queue_on_its_new_date(review, police_lead):
    services.retain(
        review, by=police_lead, reason="Back in the cohort", retain_until=dt.date(2027, 6, 1), today=TODAY
    )
    review.refresh_from_db()
    assert (review.status, review.retain_until, review.decided_by) == (
        ReviewStatus.RETAINED, dt.date(2027, 6, 1), police_lead,
    )  # fmt: skip
    assert not list(due.due_items(dt.date(2027, 5, 31)))
    assert [found.item_id for found in due.due_items(dt.date(2027, 6, 1))] == [review.item_id]
    sweep.sweep(dt.date(2027, 6, 1))
    assert RetentionReview.objects.filter(item_id=review.item_id, status=ReviewStatus.OPEN).count() == 1
    entry = LedgerEntry.objects.filter(
        action=Action.ADMIN_CHANGE, details__contains="retention_retained"
    ).get()
    assert entry.item_ids == [str(review.item_id)] and entry.details["reason"] == "Back in the cohort"


def test_disposing_after_review_destroys_the_item_and_leaves_a_certificate(review, police_lead):
    services.dispose_after_review(review, by=police_lead, reason="No longer needed")
    review.refresh_from_db()
    assert review.status == ReviewStatus.DISPOSED
    assert status_of(review.item_id) == ItemStatus.DISPOSED
    certificate = LedgerEntry.objects.get(action=Action.DISPOSED)
    assert certificate.item_ids == [str(review.item_id)] and certificate.actor_id == police_lead.pk
    with pytest.raises(InvalidInput, match="already made"):
        services.retain(review, by=police_lead, reason="x", retain_until=dt.date(2027, 1, 1), today=TODAY)


def test_a_legal_hold_blocks_disposal_from_the_queue_and_says_whose_and_why(review, police_lead, person):
    services.place_legal_hold(by=police_lead, person=person, reason="Inquiry into the 2024 incident")
    with pytest.raises(NotPermitted) as refused:
        services.dispose_after_review(review, by=police_lead, reason="No longer needed")
    assert "Inquiry into the 2024 incident" in refused.value.message
    assert "Imogen Grey" in refused.value.message
    assert status_of(review.item_id) == ItemStatus.LIVE
    review.refresh_from_db()
    assert review.status == ReviewStatus.OPEN


def test_only_the_holding_agencys_ig_lead_decides(review, probation_lead, officer):
    for somebody in (probation_lead, officer):
        with pytest.raises(NotPermitted):
            services.dispose_after_review(review, by=somebody, reason="No longer needed")
    assert status_of(review.item_id) == ItemStatus.LIVE


def test_a_legal_hold_needs_a_reason_and_one_at_a_time(police_lead, person):
    with pytest.raises(InvalidInput) as refused:
        services.place_legal_hold(by=police_lead, person=person, reason="")
    assert refused.value.field_errors == {"reason": "Enter why the information must be kept"}
    services.place_legal_hold(by=police_lead, person=person, reason="Civil claim")
    with pytest.raises(InvalidInput, match="already a legal hold"):
        services.place_legal_hold(by=police_lead, person=person, reason="Another claim")
    with pytest.raises(NotFound):
        services.place_legal_hold(by=police_lead, item_id="4c1c4a8e-0000-4000-8000-000000000000", reason="x")
    assert LegalHold.objects.count() == 1


def test_only_the_placing_agency_lifts_a_hold(police_lead, probation_lead, person):
    hold = services.place_legal_hold(by=police_lead, person=person, reason="Civil claim")
    with pytest.raises(NotPermitted, match="Northshire Police"):
        services.lift_legal_hold(hold, by=probation_lead, reason="Done")
    with pytest.raises(InvalidInput):
        services.lift_legal_hold(hold, by=police_lead, reason="")
    services.lift_legal_hold(hold, by=police_lead, reason="Claim settled")
    hold.refresh_from_db()
    assert not hold.is_active and hold.lifted_by == police_lead
    changes = [e.details["change"] for e in LedgerEntry.objects.filter(action=Action.ADMIN_CHANGE)]
    assert "legal_hold_placed" in changes and "legal_hold_lifted" in changes


def test_restricting_an_item_is_the_holding_agencys_ig_lead_with_a_reason(
    police, person, police_lead, probation_lead
):
    disputed = item(person=person, agency=police, code="accommodation", recorded=TODAY - dt.timedelta(days=5))
    practitioner = StaffMemberFactory(agency=police, role=Role.PRACTITIONER)
    for somebody in (probation_lead, practitioner):
        with pytest.raises(NotPermitted):
            services.restrict_item(disputed.pk, by=somebody, reason="Disputed")
    with pytest.raises(InvalidInput):
        services.restrict_item(disputed.pk, by=police_lead, reason="")
    facts = services.restrict_item(disputed.pk, by=police_lead, reason="Address disputed by the person")
    assert facts.is_restricted and facts.restricted_reason == "Address disputed by the person"
    with pytest.raises(InvalidInput, match="already restricted"):
        services.restrict_item(disputed.pk, by=police_lead, reason="Again")
    lifted = services.lift_restriction(disputed.pk, by=police_lead, reason="Council confirmed the address")
    assert not lifted.is_restricted and lifted.restricted_reason == ""
    actions = list(
        LedgerEntry.objects.filter(item_ids__contains=str(disputed.pk)).values_list("action", flat=True)
    )
    assert services.ITEM_RESTRICTED in actions and services.ITEM_RESTRICTION_LIFTED in actions


def test_stale_items_are_the_live_ones_past_their_review_date(police, probation, person):
    from iomshare.retention.selectors import is_stale, stale_items

    stale = item(person=person, agency=police, code="contact", recorded=TODAY - dt.timedelta(days=400))
    fresh = item(person=person, agency=police, code="contact", recorded=TODAY - dt.timedelta(days=10))
    item(person=person, agency=probation, code="contact", recorded=TODAY - dt.timedelta(days=400))
    listed = [row[0] for row in stale_items(police.pk, timezone.localdate())]
    assert listed == [stale.pk]
    assert is_stale(stale) and not is_stale(fresh)
