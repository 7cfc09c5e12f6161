"""The demo's meetings and actions: two past case meetings with minutes and the actions agreed
(some now overdue), and open actions on the demo practitioners' caseloads.

Made through the same services as the pages (casework), so history and ledger read as a real
partnership's would; only the dates are moved back afterwards, as the services date things today.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from iomshare.casework import meetings, services
from iomshare.casework.models import Action, RaisedFrom
from iomshare.partnership.models import Agency, Role, StaffMember
from iomshare.people import visibility
from iomshare.people.models import CohortMembership

MINUTES = [
    (
        "Reviewed engagement since release: attending probation appointments, missed one drug test.",
        "Stays at the current tier. Police to carry out a joint home visit; housing to confirm the tenancy.",
    ),
    (
        "New associates reported near the town centre; accommodation is at risk after rent arrears.",
        "Raise with the housing provider this week; probation to review licence conditions.",
    ),
]
ACTIONS = [
    "Carry out a joint home visit with probation and report back to the next meeting.",
    "Confirm the tenancy and arrears position with the housing provider.",
    "Review licence conditions and discuss the new associates at the next supervision.",
    "Refer to the recovery service for an assessment before the next conference.",
]


def _key_worker_of(membership: CohortMembership) -> StaffMember | None:
    return (
        membership.key_workers.filter(role=Role.PRACTITIONER, is_volunteer=False).order_by("username").first()
    )


def _raise(by, membership, text, owner, due_on, *, meeting=None, raised_at=None) -> Action:
    action = services.raise_action(
        by=by,
        person=membership.person,
        description=text,
        due_on=timezone.localdate(),  # the services date from today; the demo's dates are set below
        owner=owner,
        raised_from=RaisedFrom.MEETING if meeting else RaisedFrom.PERSON_PAGE,
        meeting=meeting,
    )
    Action.objects.filter(pk=action.pk).update(
        due_on=due_on, **({"raised_at": raised_at} if raised_at else {})
    )
    return action


def load_demo_meetings_and_actions(rng: random.Random, today: dt.date) -> None:
    """Two past meetings (four and two weeks ago) of police, probation and the council about members
    the chair may know, minuted, with actions from the minutes; then an open action for each demo
    practitioner with a caseload."""
    chair = StaffMember.objects.filter(role=Role.PARTNERSHIP_MANAGER).order_by("username").first()
    agencies = list(Agency.objects.filter(code__in=["police", "probation", "council"]))
    attendees = list(
        StaffMember.objects.filter(agency__in=agencies, role=Role.PRACTITIONER).order_by("username")
    )
    if chair is None or not attendees:
        return
    current = [
        m
        for m in CohortMembership.objects.current(today)
        .select_related("person")
        .order_by("review_on", "id")[:30]
        if visibility.may_know(chair, m.person_id) and _key_worker_of(m) is not None
    ]
    for n, (kind, weeks) in enumerate((("case_conference", 4), ("tasking", 2))):
        held_on = today - dt.timedelta(weeks=weeks)
        agenda = current[n * 3 : n * 3 + 3]
        if not agenda:
            continue
        meeting = meetings.arrange_meeting(
            by=chair,
            kind=kind,
            held_on=held_on,
            chair=chair,
            purpose="case_conference",
            agencies=agencies,
            attendees=attendees,
            people=[m.person for m in agenda],
        )
        meetings.keep_attendance(
            meeting, attended=[chair.pk, *(s.pk for s in attendees if rng.random() < 0.8)], by=chair
        )
        for i, membership in enumerate(agenda):
            discussion, decisions = MINUTES[(n + i) % len(MINUTES)]
            meetings.record_minutes(
                meeting, membership.person, minutes=discussion, decisions=decisions, by=chair
            )
            # Due a week after the meeting: the older meeting's actions are now overdue.
            _raise(
                chair,
                membership,
                ACTIONS[(n + i) % len(ACTIONS)],
                _key_worker_of(membership),
                held_on + dt.timedelta(days=7 + 14 * n * i),
                meeting=meeting,
            )
    for practitioner in StaffMember.objects.filter(role=Role.PRACTITIONER, is_volunteer=False).order_by(
        "username"
    ):
        mine = CohortMembership.objects.current(today).filter(key_workers=practitioner).order_by("id").first()
        if mine is not None and visibility.may_know(practitioner, mine.person_id):
            _raise(
                practitioner,
                mine,
                ACTIONS[rng.randrange(len(ACTIONS))],
                practitioner,
                today + dt.timedelta(days=rng.randint(1, 10)),
            )
