"""The demo partnership runs its cohort: review dates, referrals in each state, the panel's decisions."""

import datetime as dt

import pytest

from iomshare.demo import Scale, load_demo
from iomshare.people.models import CohortChange, CohortMembership, CohortReferral, ReferralStatus

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 2)


def test_the_demo_has_review_dates_referrals_and_panel_decisions_with_history():
    load_demo(scale=Scale(people=40, items=200), today=TODAY, with_protocols_and_vocabulary=False)
    current = CohortMembership.objects.current(TODAY)
    assert current.exists() and not current.filter(review_on__isnull=True).exists()
    statuses = set(CohortReferral.objects.values_list("status", flat=True))
    assert {ReferralStatus.DECLINED, ReferralStatus.ACCEPTED} <= statuses
    accepted = CohortReferral.objects.get(status=ReferralStatus.ACCEPTED)
    assert accepted.membership.key_workers.exists()
    kinds = set(CohortChange.objects.filter(person=accepted.person).values_list("kind", flat=True))
    assert kinds == {"referred", "accepted", "key_worker_assigned"}


def test_the_demo_has_two_past_meetings_with_minutes_and_actions_some_overdue():
    from iomshare.casework.models import Action, AgendaPerson, Meeting

    load_demo(scale=Scale(people=40, items=200), today=TODAY, with_protocols_and_vocabulary=False)
    assert Meeting.objects.count() == 2 and all(m.held_on < TODAY for m in Meeting.objects.all())
    assert not AgendaPerson.objects.filter(minutes_item_id__isnull=True).exists()
    from_meetings = Action.objects.filter(meeting__isnull=False)
    assert from_meetings.exists() and any(a.is_overdue(TODAY) for a in from_meetings)
    practitioners_open = Action.objects.filter(meeting__isnull=True, status="open", due_on__gt=TODAY)
    assert practitioners_open.exists()


def test_the_demo_meeting_packs_show_the_minutes_to_attendees_the_core_protocol_allows():
    from iomshare.casework import meetings
    from iomshare.casework.models import AgendaPerson

    load_demo(scale=Scale(people=40, items=200), today=TODAY)
    shown = 0
    for entry in AgendaPerson.objects.select_related("meeting"):
        for attendee in entry.meeting.attendees.select_related("staff").filter(
            staff__agency__code="probation"
        ):
            pack = meetings.pack_for(attendee.staff, entry.meeting, entry.person_id)
            shown += any(item.pk == entry.minutes_item_id for item in pack.items)
    assert shown > 0, "probation attendees read the police-held minutes through the door"
