import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from iomshare.errors import InvalidInput, NotPermitted
from iomshare.partnership.models import Role
from iomshare.records.models import InformationItem
from iomshare.records.services import record_item
from tests.days import on_the_day
from tests.factories import StaffMemberFactory


def form(**overrides):
    today = timezone.localdate()
    review = today + dt.timedelta(days=200)
    data = {
        "category": "accommodation",
        "sensitivity": "1",
        "summary": "Moved into supported housing",
        "details": "",
        "valid_from-day": str(today.day),
        "valid_from-month": str(today.month),
        "valid_from-year": str(today.year),
        "review_by-day": str(review.day),
        "review_by-month": str(review.month),
        "review_by-year": str(review.year),
    }
    return data | overrides


def test_an_item_is_recorded_as_held_by_the_authors_own_agency(client, officer, person, accommodation):
    client.force_login(officer)
    response = client.post(reverse("records:record-item", args=[person.id]), form())
    assert response.status_code == 302
    item = InformationItem.objects.get()
    assert item.holding_agency == officer.agency and item.author == officer
    assert item.summary == "Moved into supported housing"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"category": ""}, "category", "Select the kind of information"),
        ({"summary": "   "}, "summary", "Enter a summary of the information"),
        ({"summary": "x" * 301}, "summary", "300 characters or fewer"),
        ({"sensitivity": "nine"}, "sensitivity", "Select how sensitive"),
        ({"valid_from-month": "13"}, "valid_from", "must be a real date"),
        ({"valid_from-year": ""}, "valid_from", "must include a year"),
        ({"review_by-year": lambda today: str(today.year - 1)}, "review_by", "must be in the future"),
        ({"review_by-year": lambda today: str(today.year + 5)}, "review_by", "within 3 years"),
    ],
)
def test_a_bad_submission_names_the_field_and_records_nothing(
    client, officer, person, accommodation, overrides, field, message
):
    client.force_login(officer)
    response = client.post(reverse("records:record-item", args=[person.id]), form(**on_the_day(overrides)))
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert f'href="#{field}"' in html
    assert message in html
    assert InformationItem.objects.count() == 0


def test_the_form_offers_today_and_a_review_in_a_year(client, officer, person, accommodation):
    client.force_login(officer)
    html = client.get(reverse("records:record-item", args=[person.id])).content.decode()
    assert (
        f'name="valid_from-year" type="text" inputmode="numeric" value="{timezone.localdate().year}"' in html
    )


def test_an_administrator_without_a_recording_role_cannot_record(person, accommodation, police):
    admin = StaffMemberFactory(agency=police, role=Role.ADMIN)
    with pytest.raises(NotPermitted):
        record_item(by=admin, person=person, category=accommodation, summary="x")


def test_an_item_cannot_end_before_it_starts(officer, person, accommodation):
    today = timezone.localdate()
    with pytest.raises(InvalidInput) as error:
        record_item(
            by=officer,
            person=person,
            category=accommodation,
            summary="x",
            valid_from=today,
            valid_to=today - dt.timedelta(days=1),
        )
    assert "valid_to" in error.value.field_errors
