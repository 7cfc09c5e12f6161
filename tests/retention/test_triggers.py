"""Time travel: each trigger makes an item due exactly when its period has passed, not a day before."""

import datetime as dt

from iomshare.retention import due
from iomshare.retention.models import PersonDates
from tests.factories import CohortMembershipFactory, PersonFactory
from tests.retention.conftest import item, schedule


def due_ids(today: dt.date) -> set:
    return {found.item_id for found in due.due_items(today)}


def test_recorded_trigger_counts_from_the_day_the_item_was_recorded(police, person):
    schedule("accommodation", period=2, unit="years", trigger="recorded", action="dispose")
    kept = item(person=person, agency=police, code="accommodation", recorded=dt.date(2020, 3, 10))
    assert kept.pk not in due_ids(dt.date(2022, 3, 9))
    assert kept.pk in due_ids(dt.date(2022, 3, 10))


def test_months_run_to_the_last_day_of_a_shorter_month(police, person):
    schedule("finance", period=1, unit="months", trigger="recorded", action="dispose")
    kept = item(person=person, agency=police, code="finance", recorded=dt.date(2023, 1, 31))
    assert kept.pk not in due_ids(dt.date(2023, 2, 27))
    assert kept.pk in due_ids(dt.date(2023, 2, 28))


def test_left_cohort_counts_from_the_end_of_the_last_membership(police, person):
    schedule("contact", period=2, unit="years", trigger="left_cohort", action="dispose")
    contact = item(person=person, agency=police, code="contact", recorded=dt.date(2015, 6, 1))
    CohortMembershipFactory(
        person=person, lead_agency=police, started_on=dt.date(2015, 1, 1), ended_on=dt.date(2018, 1, 1)
    )
    later = CohortMembershipFactory(person=person, lead_agency=police, started_on=dt.date(2019, 1, 1))
    # Still in the cohort: the contact note is kept however old it is.
    assert contact.pk not in due_ids(dt.date(2030, 1, 1))
    later.ended_on = dt.date(2021, 4, 30)
    later.save()
    assert contact.pk not in due_ids(dt.date(2023, 4, 29))
    assert contact.pk in due_ids(dt.date(2023, 4, 30))


def test_a_person_never_in_the_cohort_counts_from_when_the_item_was_recorded(police):
    schedule("contact", period=2, unit="years", trigger="left_cohort", action="dispose")
    outsider = PersonFactory()
    contact = item(person=outsider, agency=police, code="contact", recorded=dt.date(2020, 1, 15))
    assert contact.pk not in due_ids(dt.date(2022, 1, 14))
    assert contact.pk in due_ids(dt.date(2022, 1, 15))


def test_last_contact_counts_from_the_latest_contact_with_any_agency(police, probation, person):
    schedule("health", period=8, unit="years", trigger="last_contact", action="review")
    health = item(person=person, agency=police, code="health", recorded=dt.date(2010, 1, 1))
    item(person=person, agency=police, code="contact", recorded=dt.date(2012, 5, 1))
    assert health.pk in due_ids(dt.date(2020, 5, 1))
    # A later contact, with another agency, starts the period again.
    item(person=person, agency=probation, code="contact", recorded=dt.date(2016, 9, 9))
    assert health.pk not in due_ids(dt.date(2024, 9, 8))
    assert health.pk in due_ids(dt.date(2024, 9, 9))


def test_sentence_end_counts_from_the_recorded_end_and_never_fires_without_one(police, person):
    schedule("custody", period=15, unit="years", trigger="sentence_end", action="review")
    custody = item(person=person, agency=police, code="custody", recorded=dt.date(2001, 2, 2))
    assert custody.pk not in due_ids(dt.date(2090, 1, 1))
    PersonDates.objects.update_or_create(person=person, defaults={"sentence_ends_on": dt.date(2005, 7, 1)})
    assert custody.pk not in due_ids(dt.date(2020, 6, 30))
    assert custody.pk in due_ids(dt.date(2020, 7, 1))


def test_an_agency_schedule_replaces_the_default_for_its_items_only(police, probation, person, police_lead):
    from iomshare.retention import services
    from tests.retention.conftest import category

    schedule("risk", period=1, unit="years", trigger="recorded", action="review")
    police_risk = item(person=person, agency=police, code="risk", recorded=dt.date(2020, 1, 1))
    probation_risk = item(person=person, agency=probation, code="risk", recorded=dt.date(2020, 1, 1))
    services.set_agency_schedule(
        category("risk"), by=police_lead, period="5", unit="years", trigger="recorded", action="review",
        reasoning="Force policy: five years.",
    )  # fmt: skip
    found = due_ids(dt.date(2022, 1, 1))
    assert probation_risk.pk in found and police_risk.pk not in found
    assert police_risk.pk in due_ids(dt.date(2025, 1, 1))


def test_disposed_items_are_never_due_again(police, person):
    from iomshare.records.models import ItemStatus

    schedule("finance", period=1, unit="days", trigger="recorded", action="dispose")
    gone = item(person=person, agency=police, code="finance", recorded=dt.date(2020, 1, 1))
    type(gone).objects.filter(pk=gone.pk).update(status=ItemStatus.DISPOSED)
    assert gone.pk not in due_ids(dt.date(2024, 1, 1))


def test_trigger_dates_name_each_persons_event(police, person):
    CohortMembershipFactory(
        person=person, lead_agency=police, started_on=dt.date(2015, 1, 1), ended_on=dt.date(2018, 1, 1)
    )
    item(person=person, agency=police, code="contact", recorded=dt.date(2017, 3, 3))
    PersonDates.objects.update_or_create(person=person, defaults={"sentence_ends_on": dt.date(2019, 9, 9)})
    assert due.refresh_person_dates() == 1
    assert due.refresh_person_dates() == 0  # nothing changed since: nothing written
    dates = due.trigger_dates([person.pk])
    assert dates["left_cohort"][person.pk] == dt.date(2018, 1, 1)
    assert dates["last_contact"][person.pk] == dt.date(2017, 3, 3)
    assert dates["sentence_end"][person.pk] == dt.date(2019, 9, 9)
