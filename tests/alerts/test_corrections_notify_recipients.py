"""A correction or withdrawal reaches exactly the staff the ledger shows received the item."""

import pytest
from django.urls import reverse

from iomshare.alerts.models import Notification
from iomshare.errors import InvalidInput, NotPermitted
from iomshare.ledger import services as ledger
from iomshare.ledger.models import Action, LedgerEntry
from iomshare.records import selectors as records
from iomshare.records.models import ItemCorrection, ItemStatus
from iomshare.records.services import correct_item, withdraw_item
from tests.factories import InformationItemFactory, StaffMemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(officer, person):
    return InformationItemFactory(
        person=person, holding_agency=officer.agency, author=officer, summary="Lives at 1 Any St"
    )


@pytest.fixture
def colleagues(officer, police):
    return [StaffMemberFactory(agency=police, username=f"colleague{n}") for n in range(3)]


def test_a_correction_notifies_everyone_who_saw_the_item_and_nobody_else(
    item, officer, person, colleagues, probation_officer
):
    seen_by = colleagues[:2]
    for viewer in seen_by:
        records.picture_for(viewer, person, purpose=None)
    other = InformationItemFactory(person=person, holding_agency=officer.agency, author=officer)
    ledger.record_disclosure(viewer=colleagues[2], person=person, items=[other])  # saw a different item
    correct_item(item, by=officer, changes={"summary": "Lives at 2 Any St"}, reason="Wrong house number")
    assert sorted(n.recipient.username for n in Notification.objects.all()) == ["colleague0", "colleague1"]
    notification = Notification.objects.first()
    assert "has corrected" in notification.message and notification.link == reverse(
        "people:person", args=[person.id]
    )
    assert "1 Any St" not in notification.message  # the notification carries no item content


def test_each_notification_is_itself_a_ledger_entry(item, officer, person, colleagues):
    records.picture_for(colleagues[0], person, purpose=None)
    correct_item(item, by=officer, changes={"summary": "Lives at 2 Any St"}, reason="Wrong house number")
    (entry,) = LedgerEntry.objects.filter(action=Action.NOTIFICATION)
    notification = Notification.objects.get()
    assert entry.actor_id == colleagues[0].pk and entry.item_ids == [str(item.id)]
    assert entry.details == {
        "notification_id": notification.pk,
        "reason": "item_corrected",
        "caused_by": "officer",
    }


def test_a_correction_keeps_the_old_values_and_is_recorded(item, officer):
    correction = correct_item(
        item, by=officer, changes={"summary": "Lives at 2 Any St"}, reason="Wrong number"
    )
    item.refresh_from_db()
    assert item.summary == "Lives at 2 Any St"
    assert correction.previous == {"summary": "Lives at 1 Any St"}
    (entry,) = LedgerEntry.objects.filter(action=Action.ITEM_CORRECTED)
    assert entry.details["fields"] == ["summary"] and entry.details["correction_id"] == correction.pk


def test_a_withdrawal_hides_the_item_and_tells_who_received_it(item, officer, person, colleagues):
    records.picture_for(colleagues[1], person, purpose=None)
    withdraw_item(item, by=officer, reason="Recorded against the wrong person")
    item.refresh_from_db()
    assert item.status == ItemStatus.WITHDRAWN
    assert records.picture_for(colleagues[1], person, purpose=None).items == []
    (notification,) = Notification.objects.all()
    assert notification.recipient == colleagues[1] and "has withdrawn" in notification.message
    assert (
        LedgerEntry.objects.filter(action=Action.ITEM_WITHDRAWN, item_ids__contains=str(item.id)).count() == 1
    )


def test_only_the_holding_agency_can_correct_or_withdraw(item, probation_officer):
    with pytest.raises(NotPermitted, match="agency that holds"):
        correct_item(item, by=probation_officer, changes={"summary": "x"}, reason="because")
    with pytest.raises(NotPermitted):
        withdraw_item(item, by=probation_officer, reason="because")
    assert ItemCorrection.objects.count() == 0


@pytest.mark.parametrize(
    ("changes", "reason", "field"),
    [
        ({"summary": "new"}, "  ", "reason"),
        ({"summary": ""}, "typo", "summary"),
        ({"colour": "red"}, "typo", "colour"),
        ({"category": "no-such"}, "typo", "category"),
    ],
)
def test_a_bad_correction_names_the_problem_and_changes_nothing(item, officer, changes, reason, field):
    with pytest.raises(InvalidInput) as error:
        correct_item(item, by=officer, changes=changes, reason=reason)
    assert field in error.value.field_errors
    item.refresh_from_db()
    assert item.summary == "Lives at 1 Any St" and ItemCorrection.objects.count() == 0
    assert not LedgerEntry.objects.filter(action=Action.ITEM_CORRECTED).exists()


def test_a_withdrawn_item_cannot_be_corrected(item, officer):
    withdraw_item(item, by=officer, reason="Wrong person")
    with pytest.raises(InvalidInput, match="withdrawn"):
        correct_item(item, by=officer, changes={"summary": "x"}, reason="typo")


def test_the_notifications_page_lists_only_my_notifications_and_marks_them_read(
    client, item, officer, person, colleagues
):
    records.picture_for(colleagues[0], person, purpose=None)
    records.picture_for(colleagues[1], person, purpose=None)
    correct_item(item, by=officer, changes={"summary": "Lives at 2 Any St"}, reason="Wrong house number")
    client.force_login(colleagues[0])
    html = client.get(reverse("alerts:notifications")).content.decode()
    assert "You have 1 unread notification." in html and "has corrected" in html
    client.post(reverse("alerts:mark-all-read"))
    assert Notification.objects.get(recipient=colleagues[0]).is_read
    assert not Notification.objects.get(recipient=colleagues[1]).is_read


def test_the_holding_agency_corrects_an_item_in_the_browser_and_recipients_are_told(
    client, item, officer, person, colleagues
):
    records.picture_for(colleagues[0], person, purpose=None)
    client.force_login(officer)
    url = reverse("records:change-item", args=[item.id])
    assert "Correct or withdraw" in client.get(reverse("people:person", args=[person.id])).content.decode()
    response = client.post(
        url, {"action": "correct", "summary": "Lives at 2 Any St", "details": "", "reason": ""}
    )
    assert (
        response.status_code == 400
        and "Enter why the information is being corrected" in response.content.decode()
    )
    response = client.post(
        url, {"action": "correct", "summary": "Lives at 2 Any St", "details": "", "reason": "Typo"}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.summary == "Lives at 2 Any St"
    assert [n.recipient for n in Notification.objects.all()] == [colleagues[0]]


def test_the_holding_agency_withdraws_an_item_in_the_browser(client, item, officer, person):
    client.force_login(officer)
    url = reverse("records:change-item", args=[item.id])
    withdraw = reverse("records:withdraw-item", args=[item.id])
    response = client.post(withdraw, {"withdraw_reason": ""})
    assert response.status_code == 400 and 'href="#withdraw_reason"' in response.content.decode()
    assert client.post(withdraw, {"withdraw_reason": "Wrong person"}).status_code == 302
    item.refresh_from_db()
    assert item.status == ItemStatus.WITHDRAWN
    assert client.get(url).status_code == 404  # withdrawn items are seen by nobody


def test_another_agency_cannot_open_the_change_page(client, item, probation_officer):
    client.force_login(probation_officer)
    assert client.get(reverse("records:change-item", args=[item.id])).status_code == 404


def test_the_change_page_sends_a_withdrawal_to_its_own_address(client, item, officer):
    client.force_login(officer)
    page = client.get(reverse("records:change-item", args=[item.id])).content.decode()
    assert f'action="{reverse("records:withdraw-item", args=[item.id])}"' in page
    assert client.get(reverse("records:withdraw-item", args=[item.id])).status_code == 405
