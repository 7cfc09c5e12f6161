"""Training administration: the expiry list, renewals by the agency's own administrator or manager
(history kept, clear errors), and reminders that are sent once each."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from iomshare.alerts.models import Notification
from iomshare.errors import InvalidInput, NotPermitted
from iomshare.ledger.models import Action, LedgerEntry
from iomshare.partnership import training
from iomshare.partnership.models import Role, TrainingRecord, TrainingReminder, VettingLevel, VettingRenewal
from iomshare.partnership.training_reminders import remind_of_expiry
from tests.factories import StaffMemberFactory, TrainingRecordFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
D = dt.timedelta


@pytest.fixture
def police_admin(police):
    return StaffMemberFactory(username="police.admin", agency=police, role=Role.ADMIN)


@pytest.fixture
def lapsing(officer):
    """The officer's information-sharing course expired 3 days ago; their vetting expires in 10."""
    TrainingRecordFactory(
        staff_member=officer, completed_on=TODAY - D(days=368), expires_on=TODAY - D(days=3)
    )
    officer.vetting_expires_on = TODAY + D(days=10)
    officer.save()
    return officer


def test_only_an_administrator_or_manager_of_their_own_agency_may_record_a_renewal(
    lapsing, police, probation, police_admin
):
    renewal = dict(subject="information_sharing", completed_on=TODAY, expires_on=TODAY + D(days=365))
    others = [
        StaffMemberFactory(username="peer", agency=police),
        StaffMemberFactory(username="police.ig", agency=police, role=Role.IG_LEAD),
        StaffMemberFactory(username="probation.admin", agency=probation, role=Role.ADMIN),
        lapsing,
    ]
    for by in others:
        with pytest.raises(NotPermitted):
            training.record_renewal(lapsing, by=by, **renewal)
    assert TrainingRecord.objects.filter(staff_member=lapsing).count() == 1
    manager = StaffMemberFactory(username="police.pm", agency=police, role=Role.PARTNERSHIP_MANAGER)
    training.record_renewal(lapsing, by=manager, **renewal)
    training.record_renewal(lapsing, by=police_admin, **(renewal | {"subject": "data_protection"}))
    assert TrainingRecord.objects.filter(staff_member=lapsing).count() == 3


def test_a_renewal_is_a_new_record_beside_the_old_one_and_on_the_ledger(lapsing, police_admin):
    training.record_renewal(
        lapsing,
        subject="information_sharing",
        completed_on=TODAY - D(days=1),
        expires_on=TODAY + D(days=364),
        by=police_admin,
    )
    records = list(TrainingRecord.objects.filter(staff_member=lapsing).order_by("expires_on"))
    assert [r.expires_on for r in records] == [TODAY - D(days=3), TODAY + D(days=364)]
    assert records[1].recorded_by == police_admin and records[1].recorded_at
    entry = LedgerEntry.objects.filter(action=Action.ADMIN_CHANGE).latest("id")
    assert entry.details["change"] == "training renewed" and entry.details["staff_member"] == "officer"
    assert not any(e.subject == "information_sharing" for e in training.expiries(agency_id=lapsing.agency_id))


def test_a_vetting_renewal_keeps_the_expiry_it_replaced(lapsing, police_admin):
    training.record_renewal(lapsing, subject="vetting", expires_on=TODAY + D(days=1825), by=police_admin)
    lapsing.refresh_from_db()
    assert lapsing.vetting_expires_on == TODAY + D(days=1825)
    renewal = VettingRenewal.objects.get(staff_member=lapsing)
    assert (renewal.previous_expires_on, renewal.vetting_level) == (TODAY + D(days=10), VettingLevel.NPPV2)


@pytest.mark.parametrize(
    ("subject", "completed_on", "expires_on", "field"),
    [
        ("information_sharing", None, TODAY + D(days=30), "completed_on"),
        ("information_sharing", TODAY + D(days=2), TODAY + D(days=30), "completed_on"),
        ("information_sharing", TODAY - D(days=400), TODAY - D(days=30), "expires_on"),
        ("information_sharing", TODAY - D(days=1), TODAY - D(days=1), "expires_on"),
        ("vetting", None, TODAY + D(days=5), "expires_on"),  # before the current expiry
        ("first_aid", TODAY, TODAY + D(days=30), "subject"),
    ],
)
def test_a_bad_renewal_says_which_field_and_why_and_changes_nothing(
    lapsing, police_admin, subject, completed_on, expires_on, field
):
    with pytest.raises(InvalidInput) as error:
        training.record_renewal(
            lapsing, subject=subject, completed_on=completed_on, expires_on=expires_on, by=police_admin
        )
    assert list(error.value.field_errors) == [field]
    assert TrainingRecord.objects.filter(staff_member=lapsing).count() == 1
    lapsing.refresh_from_db()
    assert lapsing.vetting_expires_on == TODAY + D(days=10)
    assert not VettingRenewal.objects.exists()


def test_there_is_no_vetting_to_renew_for_someone_not_vetted(police, police_admin):
    unvetted = StaffMemberFactory(
        username="unvetted", agency=police, vetting_level=0, vetting_expires_on=None
    )
    with pytest.raises(InvalidInput) as error:
        training.record_renewal(unvetted, subject="vetting", expires_on=TODAY + D(days=90), by=police_admin)
    assert error.value.field_errors == {
        "subject": f"{unvetted} is not vetted, so there is no vetting to renew"
    }


def test_the_expiry_list_shows_the_agency_s_own_expired_and_expiring_only(
    client, lapsing, probation, police_admin
):
    far = StaffMemberFactory(username="far", agency=lapsing.agency, first_name="Far", last_name="Ahead")
    TrainingRecordFactory(staff_member=far, expires_on=TODAY + D(days=31))
    elsewhere = StaffMemberFactory(
        username="elsewhere", agency=probation, first_name="Else", last_name="Where"
    )
    TrainingRecordFactory(
        staff_member=elsewhere, completed_on=TODAY - D(days=400), expires_on=TODAY - D(days=1)
    )
    client.force_login(police_admin)
    page = client.get(reverse("partnership:training-expiry")).content.decode()
    expired, expiring = page.split('data-testid="expired"')[1].split('data-testid="expiring"')
    assert "Priya Shah" in expired and "Information sharing in IOM" in expired and "Expired" in expired
    assert "Priya Shah" in expiring and "Vetting" in expiring and "Expires in 10 days" in expiring
    assert "Far Ahead" not in page and "Else Where" not in page
    client.force_login(lapsing)
    assert client.get(reverse("partnership:training-expiry")).status_code == 403


def test_the_renewal_page_shows_field_errors_and_records_a_good_renewal(
    client, lapsing, police_admin, probation
):
    client.force_login(police_admin)
    url = reverse("partnership:training-renewal", args=[lapsing.pk])
    later = TODAY + D(days=365)
    bad = client.post(
        url,
        {
            "subject": "information_sharing",
            "completed_on-day": "31",
            "completed_on-month": "2",
            "completed_on-year": "2026",
            "expires_on-day": str(later.day),
            "expires_on-month": str(later.month),
            "expires_on-year": str(later.year),
        },
    )
    assert bad.status_code == 400
    assert "The date the course was completed must be a real date" in bad.content.decode()
    assert TrainingRecord.objects.filter(staff_member=lapsing).count() == 1
    good = client.post(
        url,
        {
            "subject": "information_sharing",
            "completed_on-day": str(TODAY.day),
            "completed_on-month": str(TODAY.month),
            "completed_on-year": str(TODAY.year),
            "expires_on-day": str(later.day),
            "expires_on-month": str(later.month),
            "expires_on-year": str(later.year),
        },
    )
    assert good.status_code == 302
    assert TrainingRecord.objects.filter(
        staff_member=lapsing, expires_on=later, recorded_by=police_admin
    ).exists()
    someone_else = StaffMemberFactory(username="po2", agency=probation)
    assert client.get(reverse("partnership:training-renewal", args=[someone_else.pk])).status_code == 404


def test_reminders_go_to_the_person_and_their_managers_before_and_on_expiry_once_each(lapsing, police_admin):
    call_command("training", "remind", "--today", (TODAY - D(days=5)).isoformat())
    # 8 days before the course's expiry; the vetting (15 days ahead) too
    assert Notification.objects.filter(recipient=lapsing).count() == 2
    assert Notification.objects.filter(recipient=police_admin).count() == 2
    call_command("training", "remind", "--today", (TODAY - D(days=5)).isoformat())
    remind_of_expiry(today=TODAY - D(days=4))
    assert Notification.objects.count() == 4  # nothing twice
    assert remind_of_expiry(today=TODAY) == 1  # the course expired: told once more
    assert remind_of_expiry(today=TODAY) == 0
    messages = list(Notification.objects.filter(recipient=lapsing).values_list("message", flat=True))
    assert any("expired on" in m and "Information sharing in IOM" in m for m in messages)
    assert any(
        "Priya Shah" in m
        for m in Notification.objects.filter(recipient=police_admin).values_list("message", flat=True)
    )
    # a renewal starts afresh: nothing more for the old expiry, nothing for the new one a year away
    training.record_renewal(
        lapsing,
        subject="information_sharing",
        completed_on=TODAY,
        expires_on=TODAY + D(days=365),
        by=police_admin,
    )
    assert remind_of_expiry(today=TODAY + D(days=1)) == 0
    assert TrainingReminder.objects.count() == 3
