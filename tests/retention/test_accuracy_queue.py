"""The accuracy checks queue at scale (issue 20): filter, sort, page, and one decision with one reason
for many items, through the single-item services, all or nothing, each on the ledger."""

import datetime as dt

import pytest
from django.utils import timezone

from iomshare.alerts.models import Notification
from iomshare.errors import InvalidInput
from iomshare.ledger import services as ledger
from iomshare.ledger.models import Action, LedgerEntry
from iomshare.records.models import InformationItem
from iomshare.retention import accuracy
from iomshare.retention.bulk import QueueFilters
from tests.factories import PersonFactory
from tests.retention.conftest import item

TODAY = timezone.localdate()


def past(days: int) -> dt.date:
    """Recorded so that the review date (a year on) passed `days` ago."""
    return TODAY - dt.timedelta(days=365 + days)


@pytest.fixture
def stale(police, probation, person):
    """Three police items past review (10, 100 and 400 days) and one of probation's."""
    other = PersonFactory(given_name="Ada", family_name="Abbott")
    return {
        "contact": item(person=person, agency=police, code="contact", recorded=past(10)),
        "risk": item(person=other, agency=police, code="risk", recorded=past(100)),
        "old": item(person=person, agency=police, code="accommodation", recorded=past(400)),
        "theirs": item(person=person, agency=probation, code="health", recorded=past(50)),
    }


def ids(rows) -> list:
    return [row[0] for row in rows]


def test_the_queue_filters_by_kind_and_age_and_sorts(police, stale):
    every = ids(accuracy.filtered_items(police.pk, QueueFilters(sort="review")))
    assert every == [stale["old"].pk, stale["risk"].pk, stale["contact"].pk]  # oldest review first
    assert ids(accuracy.filtered_items(police.pk, QueueFilters(category="risk", sort="review"))) == [
        stale["risk"].pk
    ]
    over_90 = ids(accuracy.filtered_items(police.pk, QueueFilters(due="90", sort="review")))
    assert over_90 == [stale["old"].pk, stale["risk"].pk]
    over_a_year = ids(accuracy.filtered_items(police.pk, QueueFilters(due="365", sort="review")))
    assert over_a_year == [stale["old"].pk]
    newest = ids(accuracy.filtered_items(police.pk, QueueFilters(sort="-review")))
    assert newest == list(reversed(every))
    by_person = ids(accuracy.filtered_items(police.pk, QueueFilters(sort="person")))
    assert by_person[0] == stale["risk"].pk  # Abbott before Whitlock


def test_unknown_filters_are_ignored_not_an_error(client, officer, stale):
    client.force_login(officer)
    response = client.get("/retention/accuracy/", {"sort": "drop table", "due": "x", "page": "999"})
    assert response.status_code == 200
    assert accuracy.filters_from({"sort": "drop table", "due": "x"}) == QueueFilters(sort="review")


def test_the_page_shows_filters_and_only_the_agencys_items(client, officer, stale):
    client.force_login(officer)
    page = client.get("/retention/accuracy/", {"category": "risk"}).content.decode()
    rows = page.split('data-testid="stale-items"')[1]
    assert "Ada Abbott" in rows and "Jordan Whitlock" not in rows
    assert "1 item past its review date that matches these filters" in page
    assert "Physical and mental health" not in rows


def test_the_queue_is_paged(client, officer, police, person):
    for days in range(30):
        item(person=person, agency=police, code="contact", recorded=past(days + 1))
    client.force_login(officer)
    first = client.get("/retention/accuracy/").content.decode()
    second = client.get("/retention/accuracy/", {"page": 2}).content.decode()
    assert first.split('data-testid="stale-items"')[1].count('name="selected"') == 25
    assert second.split('data-testid="stale-items"')[1].count('name="selected"') == 5


def review_date():
    return TODAY + dt.timedelta(days=180)


def test_confirming_many_sets_each_review_date_through_the_correction_and_records_each(police_lead, stale):
    chosen = [str(stale["contact"].pk), str(stale["risk"].pk)]
    done = accuracy.decide_many(
        chosen,
        by=police_lead,
        decision="accurate",
        reason="Checked with the case officer",
        review_by=review_date(),
    )
    assert done == 2
    for key in ("contact", "risk"):
        assert InformationItem.objects.get(pk=stale[key].pk).review_by == review_date()
    assert InformationItem.objects.get(pk=stale["old"].pk).review_by < TODAY
    corrected = LedgerEntry.objects.filter(action=Action.ITEM_CORRECTED)
    assert corrected.count() == 2
    assert {entry.details["fields"][0] for entry in corrected} == {"review_by"}


def test_a_new_review_date_does_not_tell_recipients_the_item_was_corrected(
    police_lead, stale, probation_officer
):
    ledger.record_disclosure(
        viewer=probation_officer, person=stale["contact"].person, items=[stale["contact"]]
    )
    accuracy.decide_many(
        [str(stale["contact"].pk)],
        by=police_lead,
        decision="accurate",
        reason="Checked",
        review_by=review_date(),
    )
    assert not Notification.objects.filter(recipient=probation_officer).exists()
    # A change to what it says still tells them (the same service, the same recipient).
    from iomshare.records.services import correct_item

    correct_item(
        InformationItem.objects.get(pk=stale["contact"].pk),
        by=police_lead,
        changes={"summary": "New"},
        reason="Fix",
    )
    assert Notification.objects.filter(recipient=probation_officer).exists()


def test_restricting_many_restricts_each_and_records_each(police_lead, stale):
    chosen = [str(stale["contact"].pk), str(stale["old"].pk)]
    accuracy.decide_many(chosen, by=police_lead, decision="restrict", reason="Address disputed by the person")
    restricted = InformationItem.objects.filter(restricted_at__isnull=False)
    assert set(restricted.values_list("pk", flat=True)) == {stale["contact"].pk, stale["old"].pk}
    assert LedgerEntry.objects.filter(action="item_restricted").count() == 2


@pytest.mark.parametrize(
    ("chosen", "decision", "reason", "field"),
    [
        ([], "accurate", "Checked", "selected"),
        (["not-an-id"], "accurate", "Checked", "selected"),
        (["contact"], "accurate", "  ", "reason"),
        (["contact"], "", "Checked", "decision"),
        (["contact"], "accurate", "Checked", "review_by"),  # no date given
    ],
)
def test_bad_input_is_refused_with_the_field_and_changes_nothing(
    police_lead, stale, chosen, decision, reason, field
):
    before = LedgerEntry.objects.count()
    chosen = [str(stale[key].pk) if key in stale else key for key in chosen]
    with pytest.raises(InvalidInput) as refused:
        accuracy.decide_many(chosen, by=police_lead, decision=decision, reason=reason, review_by=None)
    assert field in refused.value.field_errors
    assert refused.value.message.startswith("Nothing was decided")
    assert LedgerEntry.objects.count() == before
    assert InformationItem.objects.get(pk=stale["contact"].pk).review_by < TODAY


def test_one_item_that_cannot_be_decided_undoes_the_rest(police_lead, stale):
    accuracy.decide_many([str(stale["old"].pk)], by=police_lead, decision="restrict", reason="Disputed")
    before = LedgerEntry.objects.count()
    with pytest.raises(InvalidInput) as refused:
        accuracy.decide_many(
            [str(stale["contact"].pk), str(stale["old"].pk)],
            by=police_lead,
            decision="restrict",
            reason="Again",
        )
    assert "already restricted" in refused.value.message
    assert not InformationItem.objects.get(pk=stale["contact"].pk).restricted_at
    assert LedgerEntry.objects.count() == before


def test_another_agencys_item_cannot_be_slipped_into_the_choice(police_lead, stale):
    with pytest.raises(InvalidInput) as refused:
        accuracy.decide_many(
            [str(stale["contact"].pk), str(stale["theirs"].pk)],
            by=police_lead,
            decision="accurate",
            reason="Checked",
            review_by=review_date(),
        )
    assert "no longer in the queue" in refused.value.message
    assert InformationItem.objects.get(pk=stale["contact"].pk).review_by < TODAY


def test_practitioners_are_not_offered_restriction_and_cannot_restrict(client, officer, stale):
    assert [value for value, _label in accuracy.decisions_for(officer)] == ["accurate"]
    client.force_login(officer)
    assert 'value="restrict"' not in client.get("/retention/accuracy/").content.decode()
    response = client.post(
        "/retention/accuracy/",
        {"selected": [str(stale["contact"].pk)], "decision": "restrict", "reason": "x"},
    )
    assert response.status_code == 400
    assert not InformationItem.objects.filter(restricted_at__isnull=False).exists()


def test_the_page_decides_many_and_says_so(client, police_lead, stale):
    client.force_login(police_lead)
    day = review_date()
    response = client.post(
        "/retention/accuracy/?category=&sort=review",
        {
            "selected": [str(stale["contact"].pk), str(stale["risk"].pk)],
            "decision": "accurate",
            "reason": "Checked with the case officer",
            "review_by-day": day.day,
            "review_by-month": day.month,
            "review_by-year": day.year,
        },
        follow=True,
    )
    page = response.content.decode()
    assert "2 items checked: the next check is due by" in page
    assert "1 item past its review date" in page


def test_the_page_shows_every_problem_at_once_and_keeps_the_choice(client, police_lead, stale):
    client.force_login(police_lead)
    response = client.post("/retention/accuracy/", {"selected": [], "decision": "", "reason": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert "<title>Error: Information to check for accuracy" in page
    for message in (
        "Select the items you have checked",
        "Choose what you found when you checked the selected items",
        "Enter how you checked the information, or what is disputed",
    ):
        assert message in page
    chosen = client.post(
        "/retention/accuracy/", {"selected": [str(stale["risk"].pk)], "decision": "accurate", "reason": "x"}
    )
    assert chosen.status_code == 400
    assert "Enter the date to check the information again" in chosen.content.decode()
    assert f'value="{stale["risk"].pk}" checked' in chosen.content.decode()
