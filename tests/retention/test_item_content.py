"""The holding agency's IG lead reads what an item says when judging it, through the door and on the
ledger; anyone else sees its metadata only (issue 20)."""

import datetime as dt

import pytest

from iomshare.ledger.models import Action, LedgerEntry
from iomshare.partnership.models import VettingLevel
from iomshare.records.models import ItemStatus, Sensitivity
from iomshare.records.selectors import judging
from iomshare.retention import sweep
from iomshare.retention.models import RetentionReview
from tests.retention.conftest import item, schedule

TODAY = dt.date(2026, 11, 26)
SUMMARY = "Lives at 4 Ash Row with his brother"


@pytest.fixture
def queued(police, person):
    schedule("accommodation", period=2, unit="years", trigger="recorded", action="review")
    held = item(
        person=person,
        agency=police,
        code="accommodation",
        recorded=dt.date(2019, 1, 1),
        summary=SUMMARY,
        details="Tenancy ends in March.",
    )
    sweep.sweep(TODAY)
    return RetentionReview.objects.get(item_id=held.pk)


def views_for(purpose: str):
    return LedgerEntry.objects.filter(action=Action.VIEW, purpose=purpose)


def test_the_holding_leads_review_page_shows_the_content_and_records_the_read(client, police_lead, queued):
    client.force_login(police_lead)
    page = client.get(f"/retention/reviews/{queued.pk}/").content.decode()
    content = page.split('data-testid="item-content"')[1]
    assert SUMMARY in content and "Tenancy ends in March." in content
    entry = views_for(judging.RETENTION_REVIEW).get()
    assert entry.actor_id == police_lead.pk
    assert entry.item_ids == [str(queued.item_id)]
    assert str(entry.person_id) == str(queued.person_id)


def test_another_agencys_lead_sees_no_content_and_nothing_is_recorded(client, probation_lead, queued):
    assert judging.item_to_judge(probation_lead, queued.item_id, purpose=judging.RETENTION_REVIEW) is None
    client.force_login(probation_lead)
    response = client.get(f"/retention/reviews/{queued.pk}/")
    assert response.status_code == 404
    assert SUMMARY not in response.content.decode()
    assert not views_for(judging.RETENTION_REVIEW).exists()


def test_a_practitioner_of_the_holding_agency_cannot_judge_through_this_door(officer, queued):
    assert judging.item_to_judge(officer, queued.item_id, purpose=judging.ACCURACY_CHECK) is None
    assert not LedgerEntry.objects.filter(action=Action.VIEW).exists()


def test_content_above_the_leads_vetting_stays_hidden_and_the_page_says_why(client, police_lead, queued):
    from iomshare.records.models import InformationItem

    InformationItem.objects.filter(pk=queued.item_id).update(sensitivity=Sensitivity.OFFICIAL_SENSITIVE)
    police_lead.vetting_level, police_lead.vetting_expires_on = VettingLevel.NONE, None
    police_lead.save()
    client.force_login(police_lead)
    page = client.get(f"/retention/reviews/{queued.pk}/").content.decode()
    assert SUMMARY not in page
    assert 'data-testid="item-content-unavailable"' in page
    assert not views_for(judging.RETENTION_REVIEW).exists()


def test_a_withdrawn_item_can_still_be_read_to_judge_its_retention(police_lead, queued):
    from iomshare.records.models import InformationItem

    InformationItem.objects.filter(pk=queued.item_id).update(status=ItemStatus.WITHDRAWN)
    found = judging.item_to_judge(police_lead, queued.item_id, purpose=judging.RETENTION_REVIEW)
    assert found is not None and found.summary == SUMMARY


def test_only_a_judging_purpose_is_accepted(police_lead, queued):
    with pytest.raises(ValueError):
        judging.item_to_judge(police_lead, queued.item_id, purpose="care_planning")
