"""Multi-agency meetings: arranged with an agenda from the cohort, attendance kept, each attendee's
pack read through the one door for the meeting's purpose, minutes recorded as items, actions raised."""

import datetime as dt

import pytest
from django.utils import timezone

from iomshare.casework import meetings, services
from iomshare.casework.models import AgendaPerson, Meeting, RaisedFrom
from iomshare.errors import InvalidInput, NotFound, NotPermitted
from iomshare.ledger.models import Action as LedgerAction
from iomshare.ledger.models import LedgerEntry
from iomshare.partnership.models import Role
from iomshare.records import selectors as records
from iomshare.records.models import Category
from tests.factories import (
    AgencyFactory,
    AgencyIdentifierFactory,
    ClauseDocumentFactory,
    CohortMembershipFactory,
    InformationItemFactory,
    PersonFactory,
    ProtocolDocumentFactory,
    StaffMemberFactory,
    active_protocol,
)
from tests.protocols.conftest import train


@pytest.fixture
def council(db):
    return AgencyFactory(code="council", name="Northshire Council", kind="local_authority")


@pytest.fixture
def partnership(police, probation, council, person):
    """Police share offending history with probation (not the council) for case conferences; each
    agency holds one item about the person and knows them (an identifier)."""
    AgencyIdentifierFactory(person=person, agency=council, value="COUNCIL-WHITLOCK")
    clause = ClauseDocumentFactory(
        categories=["offending"], recipients=["probation"], recipient_roles=["practitioner"]
    )
    active_protocol(
        ProtocolDocumentFactory(
            parties=["police", "probation", "council"], purposes=["case_conference"], clauses=[clause]
        )
    )
    items = {}
    for agency, code in ((police, "offending"), (probation, "risk"), (council, "accommodation")):
        category = Category.objects.get_or_create(code=code, defaults={"name": code.title()})[0]
        items[agency.code] = InformationItemFactory(person=person, holding_agency=agency, category=category)
    return items


@pytest.fixture
def probation_worker(probation):
    return train(StaffMemberFactory(username="probation.kw", agency=probation), "information_sharing")


@pytest.fixture
def council_worker(council):
    return train(StaffMemberFactory(username="council.kw", agency=council), "information_sharing")


@pytest.fixture
def chair(police):
    return StaffMemberFactory(username="chair", agency=police, role=Role.PARTNERSHIP_MANAGER)


@pytest.fixture
def meeting(partnership, chair, probation_worker, council_worker, person, police, probation, council):
    return meetings.arrange_meeting(
        by=chair,
        kind="case_conference",
        held_on=timezone.localdate(),
        chair=chair,
        purpose="case_conference",
        agencies=[police, probation, council],
        attendees=[probation_worker, council_worker],
        people=[person],
    )


def ids(items):
    return sorted(str(item.pk) for item in items)


def test_each_attendees_pack_is_what_the_door_shows_them_and_they_differ(
    meeting, partnership, probation_worker, council_worker, person
):
    packs = {}
    for attendee in (probation_worker, council_worker):
        pack = meetings.pack_for(attendee, meeting, person.pk)
        door = records.picture_for(attendee, person, purpose="case_conference")
        assert ids(pack.items) == ids(door.items)
        packs[attendee.username] = ids(pack.items)
    assert packs["probation.kw"] == ids([partnership["police"], partnership["probation"]])
    assert packs["council.kw"] == ids([partnership["council"]])
    reads = LedgerEntry.objects.filter(
        action=LedgerAction.VIEW, person_id=person.pk, purpose="case_conference"
    )
    assert reads.count() == 4, "every pack read is a disclosure on the ledger"


def test_only_attendees_read_packs_and_only_for_people_on_the_agenda(meeting, police, person):
    outsider = StaffMemberFactory(agency=police)
    with pytest.raises(NotPermitted):
        meetings.pack_for(outsider, meeting, person.pk)
    other = PersonFactory()
    with pytest.raises(NotFound):
        meetings.pack_for(meeting.chair, meeting, other.pk)


def test_arranging_checks_every_field_and_changes_nothing(chair, probation_worker, police):
    stranger_person = PersonFactory()
    with pytest.raises(InvalidInput) as error:
        meetings.arrange_meeting(
            by=chair,
            kind="coffee",
            held_on=None,
            chair=chair,
            purpose="gossip",
            agencies=[police],
            attendees=[probation_worker],
            people=[stranger_person],
        )
    assert set(error.value.field_errors) == {"kind", "held_on", "purpose", "attendees", "people"}
    assert not Meeting.objects.exists()


def test_volunteers_do_not_arrange_meetings(police, person):
    volunteer = StaffMemberFactory(agency=police, role=Role.VOLUNTEER, is_volunteer=True)
    with pytest.raises(NotPermitted):
        meetings.arrange_meeting(
            by=volunteer,
            kind="tasking",
            held_on=timezone.localdate(),
            chair=volunteer,
            purpose="case_conference",
            agencies=[police],
            attendees=[],
            people=[person],
        )


def test_the_agenda_is_picked_from_the_cohort_by_tier_or_review_due(police, chair):
    today = timezone.localdate()
    fixed = CohortMembershipFactory(lead_agency=police, tier="fixed", review_on=today + dt.timedelta(days=5))
    flex = CohortMembershipFactory(lead_agency=police, tier="flex", review_on=today + dt.timedelta(days=60))
    assert list(meetings.people_to_discuss(chair, tier="flex")) == [flex]
    assert list(meetings.people_to_discuss(chair, review_due_by=today + dt.timedelta(days=7))) == [fixed]


def test_attendance_is_kept_by_the_chair_only(meeting, chair, probation_worker, council_worker):
    meetings.keep_attendance(meeting, attended=[chair.pk, probation_worker.pk], by=chair)
    kept = dict(meeting.attendees.values_list("staff__username", "attended"))
    assert kept == {"chair": True, "probation.kw": True, "council.kw": False}
    with pytest.raises(NotPermitted):
        meetings.keep_attendance(meeting, attended=[], by=council_worker)
    with pytest.raises(InvalidInput):
        meetings.keep_attendance(meeting, attended=[999999], by=chair)


def test_minutes_are_an_item_held_by_the_recorders_agency_with_the_decisions(meeting, chair, person):
    entry = meetings.record_minutes(
        meeting, person, minutes="Discussed the new address.", decisions="Stays Fixed tier.", by=chair
    )
    minuted = records.item_for(chair, entry.minutes_item_id)
    assert minuted.holding_agency_id == chair.agency_id
    assert "Stays Fixed tier." in minuted.details and minuted.payload["meeting"] == meeting.pk
    with pytest.raises(InvalidInput):
        meetings.record_minutes(meeting, person, minutes="Again", decisions="Again", by=chair)
    assert AgendaPerson.objects.get(pk=entry.pk).minutes_item_id == entry.minutes_item_id


def test_minutes_need_text_and_the_chair(meeting, chair, council_worker, person):
    with pytest.raises(InvalidInput) as error:
        meetings.record_minutes(meeting, person, minutes=" ", decisions="", by=chair)
    assert set(error.value.field_errors) == {"minutes", "decisions"}
    with pytest.raises(NotPermitted):
        meetings.record_minutes(meeting, person, minutes="x", decisions="y", by=council_worker)
    assert AgendaPerson.objects.get(meeting=meeting).minutes_item_id is None


def test_actions_are_raised_from_the_meeting_by_its_attendees(
    meeting, chair, probation_worker, person, police
):
    action = services.raise_action(
        by=chair,
        person=person,
        description="Probation to arrange a joint visit.",
        due_on=timezone.localdate() + dt.timedelta(days=7),
        owner=probation_worker,
        raised_from=RaisedFrom.MEETING,
        meeting=meeting,
    )
    assert action.meeting == meeting and list(meeting.actions.all()) == [action]
    outsider = StaffMemberFactory(agency=police)
    with pytest.raises(NotPermitted):
        services.raise_action(
            by=outsider,
            person=person,
            description="Not at the meeting at all.",
            due_on=timezone.localdate(),
            owner=outsider,
            raised_from=RaisedFrom.MEETING,
            meeting=meeting,
        )


def test_the_meetings_list_names_meetings_one_arranged_or_is_invited_to(client, meeting, chair, police):
    client.force_login(chair)
    assert f"/casework/meetings/{meeting.pk}/" in client.get("/casework/meetings/").content.decode()
    client.force_login(StaffMemberFactory(agency=police))
    assert f"/casework/meetings/{meeting.pk}/" not in client.get("/casework/meetings/").content.decode()
    assert client.get(f"/casework/meetings/{meeting.pk}/").status_code == 404


@pytest.fixture
def minutes_shared(partnership):
    """A second protocol: police share meeting minutes with probation (not the council) for case
    conferences."""
    clause = ClauseDocumentFactory(
        categories=["meeting_minutes"], recipients=["probation"], recipient_roles=["practitioner"]
    )
    active_protocol(
        ProtocolDocumentFactory(
            parties=["police", "probation", "council"], purposes=["case_conference"], clauses=[clause]
        )
    )


def test_minutes_have_their_own_category_with_a_retention_schedule(meeting, chair, person):
    from iomshare.retention.models import RetentionSchedule

    entry = meetings.record_minutes(meeting, person, minutes="Discussed.", decisions="None.", by=chair)
    minuted = records.item_for(chair, entry.minutes_item_id)
    assert minuted.category.code == "meeting_minutes" and minuted.category.name == "Meeting minutes"
    schedule = RetentionSchedule.objects.get(category__code="meeting_minutes", holding_agency=None)
    assert (schedule.period, schedule.unit, schedule.trigger) == (6, "years", "left_cohort")


def test_recording_minutes_raises_no_risk_alert_where_a_risk_item_does(meeting, chair, person):
    from iomshare.alerts.models import CohortEvent, EventKind
    from iomshare.records import services as record_services

    meetings.record_minutes(meeting, person, minutes="Discussed.", decisions="None.", by=chair)
    assert not CohortEvent.objects.filter(kind=EventKind.RISK_MARKER).exists()
    record_services.record_item(
        by=chair,
        person=person,
        category=Category.objects.get(code="risk"),
        summary="Risk of serious harm: high",
        details="A risk assessment, which is a risk event.",
        valid_from=timezone.localdate(),
    )
    assert CohortEvent.objects.filter(kind=EventKind.RISK_MARKER).count() == 1, "the signal is live"


def test_minutes_reach_the_attendees_the_protocols_allow_through_the_door(
    meeting, minutes_shared, chair, probation_worker, council_worker, person
):
    entry = meetings.record_minutes(meeting, person, minutes="Discussed.", decisions="None.", by=chair)
    probation_pack = meetings.pack_for(probation_worker, meeting, person.pk)
    assert str(entry.minutes_item_id) in ids(probation_pack.items)
    council_pack = meetings.pack_for(council_worker, meeting, person.pk)
    assert str(entry.minutes_item_id) not in ids(council_pack.items)
    shown = LedgerEntry.objects.filter(
        action=LedgerAction.VIEW, actor_id=probation_worker.pk, purpose="case_conference"
    ).last()
    assert str(entry.minutes_item_id) in shown.item_ids


def test_the_minutes_and_a_new_action_post_to_their_own_pages(
    client, meeting, chair, probation_worker, person
):
    from django.urls import reverse

    client.force_login(chair)
    pack_url = reverse("casework:pack", args=[meeting.pk, person.pk])
    minutes_url = reverse("casework:pack-minutes", args=[meeting.pk, person.pk])
    action_url = reverse("casework:pack-action", args=[meeting.pk, person.pk])
    page = client.get(pack_url).content.decode()
    assert f'action="{minutes_url}"' in page and f'action="{action_url}"' in page
    assert 'name="form"' not in page
    assert client.get(minutes_url).status_code == 405
    missing = client.post(minutes_url, {"minutes": " ", "decisions": ""})
    assert missing.status_code == 422 and "<title>Error:" in missing.content.decode()
    assert AgendaPerson.objects.get(meeting=meeting, person=person).minutes_item_id is None
    recorded = client.post(
        minutes_url, {"minutes": "Discussed the new address.", "decisions": "Stays Fixed."}
    )
    assert recorded.status_code == 302 and recorded["Location"] == pack_url
    assert AgendaPerson.objects.get(meeting=meeting, person=person).minutes_item_id is not None
    due = timezone.localdate() + dt.timedelta(days=7)
    bad_date = client.post(
        action_url,
        {
            "description": "Probation to visit.",
            "owner": f"staff:{probation_worker.username}",
            "due_on-day": "31",
            "due_on-month": "2",
            "due_on-year": str(due.year),
        },
    )
    assert bad_date.status_code == 422 and "must be a real date" in bad_date.content.decode()
    raised = client.post(
        action_url,
        {
            "description": "Probation to visit.",
            "owner": f"staff:{probation_worker.username}",
            "due_on-day": due.day,
            "due_on-month": due.month,
            "due_on-year": due.year,
        },
    )
    assert raised.status_code == 302
    assert [a.description for a in meeting.actions.all()] == ["Probation to visit."]
