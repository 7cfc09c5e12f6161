"""Profiles, skills and practice notes: who may change what, the complete-profile rule, search, uses."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from iomshare.casework.models import Meeting, MeetingAttendee
from iomshare.errors import InvalidInput, NotPermitted
from iomshare.knowledge import selectors, services
from iomshare.knowledge.models import NoteUse, OrganisationProfile, ProfileRevision, Skill
from iomshare.ledger.models import Action, LedgerEntry
from iomshare.partnership.models import Role
from tests.factories import AgencyFactory, StaffMemberFactory

pytestmark = pytest.mark.django_db
FULL = {
    "services": "Tenancy support",
    "eligibility": "Adults in the county",
    "offer_to_cohort": "Priority assessment",
    "values": "Respect",
    "contact_mailbox": "housing.iom@example.org",
    "contact_phone": "",
    "contact_hours": "",
}


@pytest.mark.parametrize("role", [Role.PARTNERSHIP_MANAGER, Role.IG_LEAD, Role.ADMIN])
def test_the_agencys_managers_may_change_its_profile(role):
    agency = AgencyFactory()
    editor = StaffMemberFactory(agency=agency, role=role)
    profile = services.save_profile(agency, by=editor, **FULL)
    assert profile.is_complete()
    assert ProfileRevision.objects.get().changed == [
        "services",
        "eligibility",
        "offer_to_cohort",
        "values",
        "contact_mailbox",
    ]
    entry = LedgerEntry.objects.filter(action=Action.ADMIN_CHANGE).latest("id")
    assert entry.details["organisation_profile"] == agency.code


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.VOLUNTEER, Role.SYSTEM])
def test_nobody_else_in_the_agency_may_change_it(role):
    agency = AgencyFactory()
    with pytest.raises(NotPermitted):
        services.save_profile(agency, by=StaffMemberFactory(agency=agency, role=role), **FULL)
    assert not OrganisationProfile.objects.exists()


def test_another_agencys_manager_may_not_change_it():
    agency = AgencyFactory()
    with pytest.raises(NotPermitted):
        services.save_profile(agency, by=StaffMemberFactory(role=Role.PARTNERSHIP_MANAGER), **FULL)


def test_a_bad_mailbox_is_refused_naming_the_field_and_nothing_changes():
    agency = AgencyFactory()
    with pytest.raises(InvalidInput) as refused:
        services.save_profile(
            agency,
            by=StaffMemberFactory(agency=agency, role=Role.IG_LEAD),
            **{**FULL, "contact_mailbox": "not an address"},
        )
    assert list(refused.value.field_errors) == ["contact_mailbox"]
    assert not OrganisationProfile.objects.exists()


def test_a_profile_is_complete_only_with_every_section_a_contact_and_a_review_in_12_months():
    agency = AgencyFactory()
    profile = services.save_profile(agency, by=StaffMemberFactory(agency=agency, role=Role.IG_LEAD), **FULL)
    today = timezone.localdate()
    assert profile.is_complete(today + dt.timedelta(days=365))
    assert not profile.is_complete(today + dt.timedelta(days=366))
    profile.contact_mailbox = ""
    assert profile.missing_sections() == ["Contact (a mailbox or a phone number)"]
    profile.contact_phone = "01632 960000"
    profile.values = ""
    assert profile.missing_sections() == ["Values and ways of working"]


def test_each_person_edits_only_their_own_skills_and_removal_keeps_history():
    owner, other = StaffMemberFactory(), StaffMemberFactory()
    skill = services.add_skill(by=owner, topic="Welsh   language")
    assert skill.topic == "Welsh language"
    with pytest.raises(InvalidInput) as refused:
        services.add_skill(by=owner, topic="welsh language")
    assert "already list" in refused.value.field_errors["topic"]
    with pytest.raises(NotPermitted):
        services.remove_skill(skill, by=other)
    services.remove_skill(skill, by=owner)
    assert Skill.objects.get().removed_at is not None
    assert not selectors.skills_directory().exists()


def test_the_directory_is_searched_by_topic_words_and_agency():
    police, council = AgencyFactory(code="police"), AgencyFactory(code="council")
    services.add_skill(by=StaffMemberFactory(agency=police), topic="Accommodation for sex offenders")
    services.add_skill(by=StaffMemberFactory(agency=council), topic="Accommodation for families")
    services.add_skill(by=StaffMemberFactory(agency=council), topic="Welsh language")
    assert [s.topic for s in selectors.skills_directory(topic="accommodation")] == [
        "Accommodation for families",
        "Accommodation for sex offenders",
    ]
    assert [s.topic for s in selectors.skills_directory(topic="sex accommodation")] == [
        "Accommodation for sex offenders"
    ]
    assert [s.topic for s in selectors.skills_directory(agency_code="council", topic="language")] == [
        "Welsh language"
    ]


def _note(by, **overrides):
    fields = {
        "title": "Tenancy before release",
        "lesson": "Arranging a tenancy before release kept a man housed.",
        "pathway": "accommodation",
        "offence_group": "",
        "learned_from": "case",
    }
    return services.write_practice_note(by=by, **{**fields, **overrides})


def test_notes_are_searched_by_words_pathway_offence_type_and_agency():
    police, council = AgencyFactory(code="police"), AgencyFactory(code="council")
    first = _note(StaffMemberFactory(agency=police), offence_group="sexual_offences")
    second = _note(
        StaffMemberFactory(agency=council),
        title="Debt advice early",
        lesson="Debt advice helps.",
        pathway="finance_benefit_debt",
    )
    assert list(selectors.practice_notes(words="tenancy release")) == [first]
    assert list(selectors.practice_notes(pathway="finance_benefit_debt")) == [second]
    assert list(selectors.practice_notes(offence_group="sexual_offences")) == [first]
    assert list(selectors.practice_notes(agency_code="council")) == [second]


def test_an_unknown_pathway_or_offence_type_is_refused_by_name():
    with pytest.raises(InvalidInput) as refused:
        _note(StaffMemberFactory(), pathway="flying", offence_group="nonsense", learned_from="dreams")
    assert set(refused.value.field_errors) == {"pathway", "offence_group", "learned_from"}


def test_a_note_is_used_when_marked_useful_once_each_or_linked_from_a_meeting():
    author, reader = StaffMemberFactory(), StaffMemberFactory()
    note = _note(author)
    with pytest.raises(InvalidInput):
        services.mark_useful(note, by=author)
    services.mark_useful(note, by=reader)
    with pytest.raises(InvalidInput):
        services.mark_useful(note, by=reader)
    meeting = Meeting.objects.create(
        kind="case_conference",
        held_on=timezone.localdate(),
        chair=author,
        purpose="risk_management",
        created_by=author,
    )
    MeetingAttendee.objects.create(meeting=meeting, staff=reader)
    with pytest.raises(NotPermitted):
        services.link_to_meeting(note, meeting, by=StaffMemberFactory())
    services.link_to_meeting(note, meeting, by=reader)
    assert selectors.practice_notes().get().used == 2
    assert NoteUse.objects.filter(kind="meeting", meeting=meeting).count() == 1


def test_pages_show_profiles_skills_and_notes_and_refuse_a_named_person(client):
    agency = AgencyFactory(code="council", name="Northshire Council")
    manager = StaffMemberFactory(agency=agency, role=Role.PARTNERSHIP_MANAGER)
    practitioner = StaffMemberFactory(agency=agency)
    client.force_login(practitioner)
    assert client.get(reverse("knowledge:edit-organisation", kwargs={"code": "council"})).status_code == 403
    assert "Not written" in client.get(reverse("knowledge:organisations")).content.decode()
    client.force_login(manager)
    response = client.post(reverse("knowledge:edit-organisation", kwargs={"code": "council"}), FULL)
    assert response.status_code == 302
    assert (
        "Complete"
        in client.get(reverse("knowledge:organisation", kwargs={"code": "council"})).content.decode()
    )
    from tests.factories import PersonFactory

    PersonFactory(given_name="Darren", family_name="Quayle")
    response = client.post(
        reverse("knowledge:write-note"),
        {
            "title": "T",
            "lesson": "Darren Quayle settled.",
            "pathway": "accommodation",
            "learned_from": "case",
        },
    )
    assert response.status_code == 422
    assert (
        "Darren Quayle" in response.content.decode()
        and "the name of a person the partnership knows" in response.content.decode()
    )
    response = client.post(
        reverse("knowledge:write-note"),
        {"title": "T", "lesson": "A man settled.", "pathway": "accommodation", "learned_from": "case"},
    )
    assert response.status_code == 302
    client.force_login(practitioner)
    note_id = selectors.practice_notes().get().pk
    assert client.post(reverse("knowledge:mark-useful", kwargs={"note_id": note_id})).status_code == 302
    page = client.get(reverse("knowledge:notes") + "?pathway=accommodation").content.decode()
    assert "1 time" in page
    response = client.post(reverse("knowledge:skills"), {"topic": "Welsh language", "detail": ""})
    assert response.status_code == 302
    assert "Welsh language" in client.get(reverse("knowledge:skills") + "?topic=welsh").content.decode()


def test_system_accounts_are_sent_to_the_api(client):
    client.force_login(StaffMemberFactory(role=Role.SYSTEM))
    assert client.get(reverse("knowledge:notes")).status_code == 403


def test_a_note_is_linked_from_a_meeting_the_viewer_attended_through_the_page(client):
    author, reader = StaffMemberFactory(), StaffMemberFactory()
    note = _note(author)
    mine = Meeting.objects.create(
        kind="tasking",
        held_on=timezone.localdate(),
        chair=reader,
        purpose="risk_management",
        created_by=reader,
    )
    other = Meeting.objects.create(
        kind="tasking",
        held_on=timezone.localdate(),
        chair=author,
        purpose="risk_management",
        created_by=author,
    )
    client.force_login(reader)
    url = reverse("knowledge:link-from-meeting", kwargs={"note_id": note.pk})
    assert "Tasking and coordination on" in client.get(reverse("knowledge:notes")).content.decode()
    client.post(url, {"meeting": other.pk})  # not one of the reader's: refused, nothing counted
    assert not NoteUse.objects.exists()
    client.post(url, {"meeting": mine.pk})
    assert NoteUse.objects.get().meeting == mine


def test_every_knowledge_page_is_in_plain_words(client):
    from tests.side_doors.plain_words import raw_codes

    agency = AgencyFactory(code="council")
    manager = StaffMemberFactory(agency=agency, role=Role.IG_LEAD)
    services.save_profile(agency, by=manager, **FULL)
    services.add_skill(by=manager, topic="Welsh language")
    _note(manager, offence_group="sexual_offences")
    client.force_login(manager)
    for url in [
        reverse("knowledge:organisations"),
        reverse("knowledge:organisation", kwargs={"code": "council"}),
        reverse("knowledge:edit-organisation", kwargs={"code": "council"}),
        reverse("knowledge:skills") + "?topic=welsh&agency=council",
        reverse("knowledge:notes") + "?pathway=accommodation&offence_group=sexual_offences",
        reverse("knowledge:write-note"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert not raw_codes(url, response, response.content), url
