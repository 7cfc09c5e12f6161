"""The review queue at scale (issue 20): filter, sort, and keep many items with one reason, through
the per-item service, all or nothing, each on the ledger like a single decision."""

import datetime as dt

import pytest
from django.utils import timezone

from iomshare.errors import InvalidInput, NotPermitted
from iomshare.ledger.models import LedgerEntry
from iomshare.retention import bulk, sweep
from iomshare.retention.models import RetentionReview, ReviewStatus
from tests.factories import PersonFactory
from tests.retention.conftest import item, schedule

TODAY = dt.date(2026, 11, 26)


@pytest.fixture
def queue(police, person):
    """Three police items due for review: two risk assessments (one older) and one contact."""
    schedule("risk", period=2, unit="years", trigger="recorded", action="review")
    schedule("contact", period=2, unit="years", trigger="recorded", action="review")
    other = PersonFactory(given_name="Ada", family_name="Abbott")
    item(person=person, agency=police, code="risk", recorded=dt.date(2019, 1, 1))
    item(person=other, agency=police, code="risk", recorded=dt.date(2020, 6, 1))
    item(person=person, agency=police, code="contact", recorded=dt.date(2019, 3, 1))
    sweep.sweep(TODAY)
    return list(RetentionReview.objects.order_by("due_on"))


def keep_until():
    return timezone.localdate() + dt.timedelta(days=365)


def date_fields(day):
    return {"retain_until-day": day.day, "retain_until-month": day.month, "retain_until-year": day.year}


def test_the_queue_filters_by_kind_and_sorts(client, police_lead, queue):
    client.force_login(police_lead)
    risk = client.get("/retention/reviews/", {"category": "risk"}).content.decode()
    assert "Risk assessment" in risk and "Contact" not in risk.split('data-testid="review-queue"')[1]
    by_person = client.get("/retention/reviews/", {"sort": "person"}).content.decode()
    assert by_person.index("Ada Abbott") < by_person.index("Jordan Whitlock")
    newest = client.get("/retention/reviews/", {"sort": "-due"}).content.decode()
    assert newest.index("Ada Abbott") < newest.index("Jordan Whitlock")
    weird = client.get("/retention/reviews/", {"sort": "drop table", "due": "x"})
    assert weird.status_code == 200  # unknown filters are ignored, not an error


def test_keeping_many_items_keeps_each_through_the_single_decision_and_records_each(police_lead, queue):
    before = LedgerEntry.objects.count()
    kept = bulk.retain_many(
        [r.pk for r in queue[:2]], by=police_lead, reason="Back in the cohort", retain_until=keep_until()
    )
    assert [r.status for r in kept] == [ReviewStatus.RETAINED] * 2
    assert RetentionReview.objects.filter(status=ReviewStatus.OPEN).count() == 1
    assert LedgerEntry.objects.count() == before + 2  # one entry per item, as for single decisions


def test_one_bad_item_keeps_none(police_lead, queue):
    bulk.retain_many([queue[0].pk], by=police_lead, reason="Case open", retain_until=keep_until())
    with pytest.raises(InvalidInput, match="already made"):
        bulk.retain_many([r.pk for r in queue], by=police_lead, reason="Again", retain_until=keep_until())
    assert RetentionReview.objects.filter(status=ReviewStatus.OPEN).count() == 2  # the others untouched


def test_another_agencys_lead_may_not_keep_the_police_items(probation_lead, queue):
    with pytest.raises(NotPermitted):
        bulk.retain_many([r.pk for r in queue], by=probation_lead, reason="Mine", retain_until=keep_until())
    assert RetentionReview.objects.filter(status=ReviewStatus.OPEN).count() == 3


def test_nothing_selected_or_a_missing_reason_is_a_clear_error_and_changes_nothing(
    client, police_lead, queue
):
    client.force_login(police_lead)
    before = LedgerEntry.objects.count()
    nothing = client.post("/retention/reviews/", {"reason": "Still needed", **date_fields(keep_until())})
    assert nothing.status_code == 400 and "Select the items to keep" in nothing.content.decode()
    no_reason = client.post("/retention/reviews/", {"reviews": [queue[0].pk], **date_fields(keep_until())})
    assert no_reason.status_code == 400
    assert "Enter why the information is still needed" in no_reason.content.decode()
    assert f'value="{queue[0].pk}" checked' in no_reason.content.decode()  # the choice is kept
    past = client.post(
        "/retention/reviews/",
        {"reviews": [queue[0].pk], "reason": "Case open", **date_fields(timezone.localdate())},
    )
    assert past.status_code == 400
    assert RetentionReview.objects.filter(status=ReviewStatus.OPEN).count() == 3
    assert LedgerEntry.objects.count() == before + 0  # page views of the queue are not disclosures


def test_the_page_keeps_the_selected_items_with_one_reason(client, police_lead, queue):
    client.force_login(police_lead)
    response = client.post(
        "/retention/reviews/?category=risk",
        {
            "reviews": [queue[0].pk, queue[1].pk],
            "reason": "Both back in the cohort",
            **date_fields(keep_until()),
        },
    )
    assert response.status_code == 302 and response.url == "/retention/reviews/?category=risk"
    assert set(
        RetentionReview.objects.filter(status=ReviewStatus.RETAINED).values_list("reason", flat=True)
    ) == {"Both back in the cohort"}
