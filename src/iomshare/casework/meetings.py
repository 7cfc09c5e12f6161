"""Multi-agency meetings: arrange one, keep attendance, read each attendee's pack, record minutes.

Each attendee's pack for each person is read through the one door (records.selectors.picture_for,
which decides with `sight_for`) for the meeting's purpose, so every attendee sees only what the
protocols allow them, and each read is on the ledger. Minutes per person are information items
(records.services.record_item) held by the recorder's agency, in their own category ("Meeting
minutes"), with the decisions: not "risk", which would raise a risk-marker alert for every minute.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from iomshare.casework.models import AgendaPerson, Meeting, MeetingAttendee, MeetingKind
from iomshare.errors import InvalidInput, NotFound, NotPermitted
from iomshare.ledger import services as ledger
from iomshare.ledger.models import Action as LedgerAction
from iomshare.partnership.models import Agency, Role, StaffMember
from iomshare.people import visibility
from iomshare.people.models import CohortMembership, Person
from iomshare.protocols.models import Purpose
from iomshare.records import selectors as records
from iomshare.records import services as record_services
from iomshare.records.models import Category

ARRANGER_ROLES = frozenset({Role.PRACTITIONER, Role.IG_LEAD, Role.PARTNERSHIP_MANAGER})
ATTENDEE_ROLES = frozenset({Role.PRACTITIONER, Role.IG_LEAD, Role.PARTNERSHIP_MANAGER, Role.VOLUNTEER})
MINUTES_CATEGORY = "meeting_minutes"
MAX_TEXT = 10000
MAX_AGENDA = 60


def _case_work(meeting: Meeting, change: str, *, by: StaffMember, person=None, **details) -> None:
    ledger.record(
        LedgerAction.CASE_WORK,
        by=by,
        person=person,
        purpose=meeting.purpose,
        details={"meeting": meeting.pk, "change": change, **details},
    )


def people_to_discuss(
    viewer: StaffMember, *, tier: str = "", review_due_by: dt.date | None = None
) -> QuerySet[CohortMembership]:
    """Current cohort members the viewer may know, by tier or review due: the agenda to pick from."""
    memberships = visibility.visible_memberships(viewer).current().filter(is_open=True)  # type: ignore[misc]  # is_open is visible_memberships' annotation
    if tier:
        memberships = memberships.filter(tier=tier)
    if review_due_by is not None:
        memberships = memberships.filter(review_on__lte=review_due_by)
    return memberships.select_related("person", "lead_agency").order_by("review_on", "person__family_name")


def _arrange_errors(  # noqa: C901 (one check per field of the form, each reported at once)
    by: StaffMember,
    *,
    kind: str,
    held_on: dt.date | None,
    chair: StaffMember | None,
    purpose: str,
    agencies: list[Agency],
    attendees: list[StaffMember],
    people: list[Person],
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if kind not in MeetingKind.values:
        errors["kind"] = "Choose the kind of meeting"
    if held_on is None:
        errors["held_on"] = "Enter the date of the meeting"
    elif abs((held_on - timezone.localdate()).days) > 366:
        errors["held_on"] = "The meeting must be within a year of today"
    if not Purpose.objects.filter(code=purpose).exists():
        errors["purpose"] = "Choose the purpose the meeting's information is shared for"
    if not agencies:
        errors["agencies"] = "Invite at least one agency"
    invited = {agency.pk for agency in agencies}
    if chair is None:
        errors["chair"] = "Choose who chairs the meeting"
    strangers = [s for s in {*attendees, *([chair] if chair else [])} if s.agency_id not in invited]
    unfit = [
        s
        for s in {*attendees, *([chair] if chair else [])}
        if s.role not in ATTENDEE_ROLES or not s.is_active
    ]
    if strangers:
        errors["attendees"] = f"{strangers[0]} works for an agency that is not invited"
    elif unfit:
        errors["attendees"] = f"{unfit[0]} cannot attend meetings"
    if not people:
        errors["people"] = "Choose at least one person to discuss"
    elif len(people) > MAX_AGENDA:
        errors["people"] = f"Discuss at most {MAX_AGENDA} people at one meeting"
    elif unknown := [p for p in people if not visibility.may_know(by, p.pk)]:
        errors["people"] = f"There is no person {unknown[0].pk} that you may see"
    return errors


@transaction.atomic
def arrange_meeting(
    *,
    by: StaffMember,
    kind: str,
    held_on: dt.date | None,
    chair: StaffMember | None,
    purpose: str,
    agencies: Iterable[Agency],
    attendees: Iterable[StaffMember],
    people: Iterable[Person],
) -> Meeting:
    """Arrange a meeting: date, chair, invited agencies and their attendees, the people to discuss."""
    if getattr(by, "agency_id", None) is None or by.role not in ARRANGER_ROLES or visibility.is_volunteer(by):
        raise NotPermitted("Only staff of a partner agency can arrange a multi-agency meeting.")
    agencies, attendees, people = list(agencies), list(attendees), list(dict.fromkeys(people))
    errors = _arrange_errors(
        by,
        kind=kind,
        held_on=held_on,
        chair=chair,
        purpose=purpose,
        agencies=agencies,
        attendees=attendees,
        people=people,
    )
    if errors:
        raise InvalidInput("The meeting was not arranged: correct the problems listed.", field_errors=errors)
    assert held_on is not None and chair is not None  # _arrange_errors names either one missing
    meeting = Meeting.objects.create(kind=kind, held_on=held_on, chair=chair, purpose=purpose, created_by=by)
    meeting.invited_agencies.set(agencies)
    MeetingAttendee.objects.bulk_create(
        [MeetingAttendee(meeting=meeting, staff=s) for s in dict.fromkeys([chair, *attendees])]
    )
    AgendaPerson.objects.bulk_create([AgendaPerson(meeting=meeting, person=p) for p in people])
    _case_work(meeting, "arranged", by=by, people=[str(p.pk) for p in people], kind=kind)
    return meeting


def is_attendee(viewer: StaffMember, meeting: Meeting) -> bool:
    return meeting.attendees.filter(staff_id=getattr(viewer, "pk", None)).exists()


def may_run(viewer: StaffMember, meeting: Meeting) -> bool:
    """The chair and whoever arranged it keep attendance and the minutes."""
    return getattr(viewer, "pk", None) in {meeting.chair_id, meeting.created_by_id}


def meetings_for(viewer: StaffMember) -> QuerySet[Meeting]:
    """Meetings the viewer arranged, chairs or is invited to."""
    if getattr(viewer, "agency_id", None) is None:
        return Meeting.objects.none()
    invited = MeetingAttendee.objects.filter(meeting_id=OuterRef("pk"), staff_id=viewer.pk)
    return Meeting.objects.filter(Q(Exists(invited)) | Q(created_by=viewer)).select_related("chair__agency")


def meeting_for(viewer: StaffMember, meeting_id: int) -> Meeting | None:
    return meetings_for(viewer).filter(pk=meeting_id).first()


def agenda_for(viewer: StaffMember, meeting: Meeting) -> list[AgendaPerson]:
    """The people on the agenda that the viewer may know (others are not named to them)."""
    known = visibility.known_people(viewer).values("pk")
    return list(meeting.agenda.filter(person__in=known).select_related("person"))


@transaction.atomic
def keep_attendance(meeting: Meeting, *, attended: Iterable[int], by: StaffMember) -> None:
    """Record who came: every attendee not named did not."""
    if not may_run(by, meeting):
        raise NotPermitted("Only the chair or whoever arranged the meeting keeps its attendance.")
    came = set(attended)
    invited = set(meeting.attendees.values_list("staff_id", flat=True))
    if came - invited:
        raise InvalidInput(
            "Attendance was not kept.", field_errors={"attended": "Choose only people invited to the meeting"}
        )
    meeting.attendees.filter(staff_id__in=came).update(attended=True)
    meeting.attendees.exclude(staff_id__in=came).update(attended=False)
    _case_work(meeting, "attendance", by=by, attended=sorted(came))


def pack_for(viewer: StaffMember, meeting: Meeting, person_id) -> records.Picture:
    """The attendee's pack about one person on the agenda: what the door shows them for the
    meeting's purpose (and its ledger entry), nothing else."""
    if not is_attendee(viewer, meeting):
        raise NotPermitted("Only the meeting's attendees read its packs.")
    entry = meeting.agenda.filter(person_id=person_id).select_related("person").first()
    if entry is None or not visibility.may_know(viewer, person_id):
        raise NotFound("There is no such person on the agenda that you may see.")
    return records.picture_for(viewer, entry.person, purpose=meeting.purpose)


@transaction.atomic
def record_minutes(
    meeting: Meeting, person: Person, *, minutes: str, decisions: str, by: StaffMember
) -> AgendaPerson:
    """The minutes about one person, with the decisions, as an item held by the recorder's agency."""
    if not may_run(by, meeting):
        raise NotPermitted("Only the chair or whoever arranged the meeting records its minutes.")
    entry = meeting.agenda.filter(person=person).first()
    if entry is None or not visibility.may_know(by, person.pk):
        raise NotFound("There is no such person on the agenda that you may see.")
    minutes, decisions = (minutes or "").strip(), (decisions or "").strip()
    errors = {}
    if not minutes:
        errors["minutes"] = "Enter the minutes of the discussion"
    elif len(minutes) > MAX_TEXT:
        errors["minutes"] = f"Keep the minutes to {MAX_TEXT} characters or fewer"
    if not decisions:
        errors["decisions"] = "Enter the decisions made (or that none were)"
    elif len(decisions) > MAX_TEXT:
        errors["decisions"] = f"Keep the decisions to {MAX_TEXT} characters or fewer"
    if entry.minutes_item_id is not None:
        errors["minutes"] = (
            f"The minutes about {person.full_name} are already recorded; correct that item instead"
        )
    if errors:
        raise InvalidInput("The minutes were not recorded: correct the problems listed.", field_errors=errors)
    item = record_services.record_item(
        by=by,
        person=person,
        category=Category.objects.get(code=MINUTES_CATEGORY),
        summary=f"{meeting.get_kind_display()} minutes, {meeting.held_on:%-d %B %Y}",
        details=f"{minutes}\n\nDecisions:\n{decisions}",
        valid_from=min(meeting.held_on, timezone.localdate()),
        payload={"meeting": meeting.pk, "kind": meeting.kind, "decisions": decisions},
    )
    entry.minutes_item_id = item.pk
    entry.save(update_fields=["minutes_item_id"])
    _case_work(meeting, "minutes", by=by, person=person, item=str(item.pk))
    return entry
