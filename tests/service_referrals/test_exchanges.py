"""Informal exchanges: recorded as an item of the recorder's agency, listed for both, counted."""

import datetime as dt

import pytest
from django.utils import timezone

from iomshare.alerts.models import Notification
from iomshare.errors import InvalidInput, NotPermitted
from iomshare.ledger.models import Action, LedgerEntry
from iomshare.records.selectors import item_for
from iomshare.records.selectors.onward import exchange_notes_for
from iomshare.service_referrals import exchanges, selectors
from iomshare.service_referrals.models import InformalExchange
from tests.factories import StaffMemberFactory

pytestmark = pytest.mark.django_db

WHAT = "Agreed the charity will offer a mentor; probation will confirm curfew hours."


def _record(by, person, **overrides):
    values = {
        "other_agency": "charity",
        "other_person": "Cara Dunn, volunteer coordinator",
        "channel": "co_located",
        "happened_on": timezone.localdate() - dt.timedelta(days=1),
        "what": WHAT,
    } | overrides
    return exchanges.record_exchange(by=by, person=person, **values)


def test_an_exchange_is_an_item_of_the_recorders_agency_and_on_the_ledger(practitioner, referred, charity):
    exchange = _record(practitioner, referred)
    item = item_for(practitioner, exchange.item_id)
    assert item.details == WHAT and item.holding_agency_id == practitioner.agency_id
    assert item.category.code == "contact"
    entry = LedgerEntry.objects.filter(action=Action.CASE_WORK).latest("id")
    assert entry.details["informal_exchange"] == exchange.pk and entry.item_ids == [str(item.pk)]


def test_the_other_agency_lists_it_but_reads_what_was_said_only_through_the_door(
    practitioner, referred, coordinator, volunteering_protocol
):
    exchange = _record(practitioner, referred)
    assert list(selectors.exchanges_for(coordinator)) == [exchange]
    assert list(selectors.exchanges_for(practitioner)) == [exchange]
    # probation shares interventions, not contacts, with the charity: the note stays with probation
    assert (
        exchange_notes_for(coordinator, referred, [exchange.item_id], purpose="volunteering_placement") == {}
    )
    assert exchange_notes_for(practitioner, referred, [exchange.item_id], purpose=None)


def test_the_other_agencys_key_worker_is_told_without_the_content(practitioner, referred, coordinator):
    membership = referred.memberships.get()
    membership.key_workers.add(coordinator)
    _record(practitioner, referred)
    note = Notification.objects.get(recipient=coordinator)
    assert "recorded a conversation" in note.message and WHAT not in note.message


def test_an_agency_that_took_no_part_does_not_list_it(practitioner, referred, charity, police):
    _record(practitioner, referred)
    assert not selectors.exchanges_for(StaffMemberFactory(agency=police)).exists()


@pytest.mark.parametrize(
    ("field", "overrides"),
    [
        ("other_agency", {"other_agency": "probation"}),
        ("other_agency", {"other_agency": "nowhere"}),
        ("other_person", {"other_person": " "}),
        ("channel", {"channel": "pigeon"}),
        ("happened_on", {"happened_on": None}),
        ("happened_on", {"happened_on": dt.date(2999, 1, 1)}),
        ("what", {"what": "ok"}),
    ],
)
def test_bad_input_is_named_and_records_nothing(practitioner, referred, charity, field, overrides):
    with pytest.raises(InvalidInput) as raised:
        _record(practitioner, referred, **overrides)
    assert field in raised.value.field_errors
    assert not InformalExchange.objects.exists()


def test_a_volunteer_cannot_record_an_exchange(referred, charity_volunteer, probation):
    with pytest.raises(NotPermitted):
        _record(charity_volunteer, referred, other_agency="probation")


def test_counts_per_agency_and_month_and_per_key_worker(practitioner, referred, charity, police):
    today = timezone.localdate()
    _record(practitioner, referred)
    _record(practitioner, referred, other_agency="police", happened_on=today - dt.timedelta(days=40))
    month = lambda day: f"{day:%Y-%m}"  # noqa: E731
    counts = {
        (c.agency_code, c.month): (c.recorded, c.received)
        for c in selectors.exchange_counts_by_agency_and_month()
    }
    yesterday, earlier = today - dt.timedelta(days=1), today - dt.timedelta(days=40)
    assert counts[("charity", month(yesterday))] == (0, 1)
    assert counts[("police", month(earlier))] == (0, 1)
    probation_total = sum(r for (code, _), (r, _) in counts.items() if code == "probation")
    assert probation_total == 2
    assert selectors.exchange_counts_by_key_worker() == {"po": 2}
