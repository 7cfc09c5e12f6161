"""The receiving agency reads what was sent only through the door, for the referral's purpose."""

import pytest

from iomshare.ledger.models import Action, LedgerEntry
from iomshare.partnership.models import TrainingRecord
from iomshare.records.selectors.onward import check_onward_sharing, sent_items_for
from iomshare.service_referrals import services
from tests.service_referrals.conftest import REASON

pytestmark = pytest.mark.django_db


def test_the_receiver_reads_the_sent_item_through_the_door_on_the_ledger(referral, coordinator, items):
    shown = sent_items_for(
        coordinator,
        referral.person,
        [items["intervention"].pk],
        purpose="volunteering_placement",
        referral=referral.pk,
    )
    assert [item.pk for item in shown] == [items["intervention"].pk]
    assert shown[0].basis.kind == "clause"
    entry = LedgerEntry.objects.filter(action=Action.VIEW, actor_id=coordinator.pk).latest("id")
    assert entry.item_ids == [str(items["intervention"].pk)]
    assert entry.details["service_referral"] == referral.pk


def test_a_receiver_whose_training_lapsed_sees_nothing_sent(referral, coordinator, items):
    TrainingRecord.objects.filter(staff_member=coordinator).delete()
    shown = sent_items_for(
        coordinator,
        referral.person,
        [items["intervention"].pk],
        purpose="volunteering_placement",
        referral=referral.pk,
    )
    assert shown == []


def test_naming_an_item_in_a_referral_does_not_open_other_items(referral, coordinator, items):
    shown = sent_items_for(
        coordinator,
        referral.person,
        [items["intervention"].pk, items["risk"].pk],
        purpose="volunteering_placement",
        referral=referral.pk,
    )
    assert items["risk"].pk not in {item.pk for item in shown}


def test_the_check_reads_no_content_and_writes_no_ledger_entry(volunteering, practitioner, referred, items):
    before = LedgerEntry.objects.count()
    checks = check_onward_sharing(
        practitioner,
        volunteering.contact,
        referred,
        [items["intervention"].pk, items["risk"].pk],
        purpose="volunteering_placement",
    )
    assert [check.may_send for check in checks] == [True, False]
    assert LedgerEntry.objects.count() == before


def test_the_receivers_own_items_go_as_own(volunteering, practitioner, referred, coordinator, charity):
    from iomshare.records.models import Category
    from tests.factories import InformationItemFactory

    own = InformationItemFactory(
        person=referred,
        holding_agency=charity,
        author=coordinator,
        category=Category.objects.get(code="contact"),
    )
    checks = check_onward_sharing(
        practitioner, coordinator, referred, [own.pk], purpose="volunteering_placement"
    )
    # probation cannot see the charity's contact item: nothing to send
    assert not checks[0].may_send
    made = services.refer_to_service(by=practitioner, person=referred, service=volunteering, reason=REASON)
    assert made.shared_items.count() == 0
