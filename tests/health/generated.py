"""A generated partnership for the health check (tests and the browser test): random but seeded, so every figure has something to count."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass

from django.utils import timezone

from iomshare.casework.models import AgendaPerson, Meeting
from iomshare.exchange.models import ImportProfile, ImportRun, RunStatus
from iomshare.information_requests.models import InformationRequest, RequestStatus
from iomshare.knowledge.models import NoteUse, OrganisationProfile, PracticeNote, Skill
from iomshare.partnership.models import Role, StaffMember, VettingLevel
from iomshare.people.models import Person, Tier
from iomshare.protocols.models import Acknowledgement, LegalGateway, Protocol, ProtocolStatus, Purpose
from iomshare.records.models import Category, ItemStatus
from iomshare.retention.models import LegalHold, PersonDates, RetentionReview, ReviewStatus
from iomshare.vocabulary.models import Concept
from tests.factories import (
    AgencyFactory,
    CohortMembershipFactory,
    InformationItemFactory,
    PersonFactory,
    StaffMemberFactory,
    TrainingRecordFactory,
)


@dataclass
class Partnership:
    today: dt.date
    agencies: list
    staff: list[StaffMember]
    people: list[Person]
    manager: StaffMember
    ig_lead: StaffMember


def at_noon(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def make_partnership() -> Partnership:
    """Four agencies, 28 staff, 30 people, items, requests, protocols, reviews, holds and imports."""
    rng = random.Random(20261207)
    today = timezone.localdate()
    days = lambda n: dt.timedelta(days=n)  # noqa: E731
    agencies = [
        AgencyFactory(code=code, name=name, kind=kind)
        for code, name, kind in [
            ("police", "Northshire Police", "police"),
            ("probation", "Probation Service North", "probation"),
            ("council", "Northshire Council", "council"),
            ("charity", "New Leaf Trust", "vcs"),
        ]
    ]
    agencies[3].assurance_expires_on = today - days(3)
    agencies[3].save()
    manager = StaffMemberFactory(username="pm", agency=agencies[2], role=Role.PARTNERSHIP_MANAGER)
    ig_lead = StaffMemberFactory(username="ig", agency=agencies[0], role=Role.IG_LEAD)
    staff = [manager, ig_lead]
    courses = ["data_protection", "information_sharing", "volunteer_confidentiality"]
    for n in range(24):
        agency = agencies[n % 4]
        volunteer = agency.code == "charity" and n % 8 == 3
        vetting_ends = today + days(rng.choice([-40, -1, 10, 29, 31, 400]))
        member = StaffMemberFactory(
            username=f"staff{n}",
            agency=agency,
            role=Role.VOLUNTEER if volunteer else Role.PRACTITIONER,
            is_volunteer=volunteer,
            vetting_level=rng.choice([VettingLevel.NONE, VettingLevel.BPSS, VettingLevel.NPPV2]),
            vetting_expires_on=vetting_ends,
        )
        staff.append(member)
        for course in rng.sample(courses, rng.randint(0, 2)):
            ends = today + days(rng.choice([-100, -1, 0, 15, 30, 31, 200]))
            TrainingRecordFactory(
                staff_member=member, course=course, completed_on=ends - days(365), expires_on=ends
            )
            if rng.random() < 0.3:  # renewed: an older lapsed record beside a newer one
                TrainingRecordFactory(
                    staff_member=member,
                    course=course,
                    completed_on=ends - days(800),
                    expires_on=ends - days(400),
                )
    StaffMemberFactory(username="system", agency=agencies[0], role=Role.SYSTEM)
    StaffMemberFactory(
        username="left", agency=agencies[1], is_active=False, vetting_expires_on=today - days(9)
    )

    people = [PersonFactory() for _ in range(30)]
    practitioners = [s for s in staff if s.role in {Role.PRACTITIONER, Role.VOLUNTEER}]
    for n, person in enumerate(people):
        if n % 6 == 5:
            continue  # never in the cohort
        started = today - days(rng.randint(1, 400))
        membership = CohortMembershipFactory(
            person=person,
            tier=rng.choice(list(Tier.values)),
            lead_agency=rng.choice(agencies),
            started_on=started,
            ended_on=(today - days(1)) if n % 7 == 0 else None,
        )
        if rng.random() < 0.7:
            membership.key_workers.add(*rng.sample(practitioners, rng.randint(1, 2)))
        if rng.random() < 0.8:
            contact = rng.choice(
                [None, today - days(2), today - days(28), today - days(29), today - days(90)]
            )
            PersonDates.objects.create(person=person, last_contact_on=contact)

    categories = list(Category.objects.filter(code__in=["contact", "intelligence", "accommodation"]))
    items = []
    for _ in range(60):
        agency = rng.choice(agencies)
        payload = {"form": "contact", "version": 1} if rng.random() < 0.6 else {}
        item = InformationItemFactory(
            person=rng.choice(people),
            holding_agency=agency,
            author=next(s for s in staff if s.agency_id == agency.pk),
            category=rng.choice(categories),
            payload=payload,
        )
        items.append(item)
    for item in rng.sample(items, 8):
        item.status = rng.choice([ItemStatus.DISPOSED, ItemStatus.WITHDRAWN])
        item.save()

    purposes = list(Purpose.objects.filter(code__in=["risk_management", "accommodation"]))
    gateway = LegalGateway.objects.get(code="cda-1998-s115")
    for _ in range(40):
        asking, holding = rng.sample(agencies, 2)
        status = rng.choice(list(RequestStatus.values))
        asked = today - days(rng.randint(0, 500))
        InformationRequest.objects.create(
            person=rng.choice(people),
            requested_by=next(s for s in staff if s.agency_id == asking.pk),
            requesting_agency=asking,
            holding_agency=holding,
            category=rng.choice(categories),
            purpose=rng.choice(purposes),
            legal_gateway=gateway,
            justification="Synthetic request for the health check test.",
            requested_at=at_noon(asked),
            due_on=asked + days(10),
            purpose_was_covered=True,
            covered_by_protocol=rng.random() < 0.5,
            status=status,
            decided_at=None if status == RequestStatus.AWAITING_DECISION else at_noon(asked + days(1)),
            expires_on=today if status in {RequestStatus.APPROVED, RequestStatus.WITHDRAWN} else None,
        )

    for n, (status, review_on, ends_on) in enumerate(
        [
            (ProtocolStatus.ACTIVE, today + days(200), None),
            (ProtocolStatus.ACTIVE, today - days(5), None),
            (ProtocolStatus.ACTIVE, today + days(20), today + days(100)),
            (ProtocolStatus.ACTIVE, today + days(50), today - days(1)),
            (ProtocolStatus.DRAFT, today - days(50), None),
            (ProtocolStatus.SUPERSEDED, today - days(50), None),
        ]
    ):
        protocol = Protocol.objects.create(
            title=f"Protocol {n}",
            retention_days=365,
            reference=f"ISP-{n}",
            owner_agency=agencies[0],
            status=status,
            review_on=review_on,
            ends_on=ends_on,
            lawful_basis="Synthetic.",
            transparency="Synthetic.",
            individual_rights="Synthetic.",
            security="Synthetic.",
            retention_and_deletion="Synthetic.",
            breach_procedure="Synthetic.",
            termination="Synthetic.",
        )
        parties = rng.sample(agencies, rng.randint(2, 4))
        protocol.parties.set(parties)
        # some read it, some not; versions not in force and people who left count for nothing
        for member in StaffMember.objects.filter(agency__in=parties):
            if rng.random() < 0.5:
                Acknowledgement.objects.create(protocol=protocol, staff_member=member)

    for n in range(15):
        item = items[n]
        status = rng.choice(
            [ReviewStatus.OPEN, ReviewStatus.OPEN, ReviewStatus.RETAINED, ReviewStatus.DISPOSED]
        )
        opened = today - days(rng.randint(0, 90))
        RetentionReview.objects.create(
            item_id=item.pk,
            person=item.person,
            holding_agency=item.holding_agency,
            category=item.category,
            recorded_at=item.recorded_at,
            rule="Synthetic rule",
            due_on=opened - days(rng.randint(0, 5)),
            opened_on=opened,
            status=status,
            decided_at=None if status == ReviewStatus.OPEN else at_noon(opened + days(rng.choice([1, 400]))),
            decided_by=None if status == ReviewStatus.OPEN else ig_lead,
            reason="Synthetic decision" if status != ReviewStatus.OPEN else "",
            retain_until=today + days(300) if status == ReviewStatus.RETAINED else None,
        )
    for n in range(3):
        LegalHold.objects.create(
            person=people[n],
            reason="Synthetic hold",
            placed_by=ig_lead,
            placing_agency=agencies[0],
            lifted_at=at_noon(today) if n == 2 else None,
        )

    for n, agency in enumerate(agencies[:3]):
        profile = ImportProfile.objects.create(
            name=f"profile-{n}",
            title=f"Profile {n}",
            agency=agency,
            file_type="csv",
            key_column="id",
            person_column="pnc",
        )
        for m in range(3):
            ImportRun.objects.create(
                profile=profile,
                started_by=next(s for s in staff if s.agency_id == agency.pk),
                file_name=f"extract-{n}-{m}.csv",
                file_path="/nowhere",
                file_sha256="0" * 64,
                status=[RunStatus.IMPORTED, RunStatus.IMPORTED, RunStatus.FAILED][m],
                rows_read=rng.randint(10, 200),
                rows_rejected=rng.randint(0, 9),
                created_at=at_noon(today - days(rng.choice([3, 100, 500]))),
            )
    add_knowledge(rng, today, agencies, staff, people)
    return Partnership(today, agencies, staff, people, manager, ig_lead)


def add_knowledge(rng: random.Random, today: dt.date, agencies, staff, people) -> None:
    """Profiles (complete, stale, half-written, none), skills, practice notes and their uses, meetings."""
    days = lambda n: dt.timedelta(days=n)  # noqa: E731
    full = dict(
        services="S", eligibility="E", offer_to_cohort="O", values="V", contact_mailbox="t@example.org"
    )
    OrganisationProfile.objects.create(agency=agencies[0], reviewed_on=today - days(10), **full)
    OrganisationProfile.objects.create(agency=agencies[1], reviewed_on=today - days(400), **full)
    OrganisationProfile.objects.create(agency=agencies[2], reviewed_on=today, **{**full, "values": ""})
    topics = ["Welsh language", "Accommodation for sex offenders", "Benefits", "Gambling harm"]
    for member in staff[2:14]:
        for topic in rng.sample(topics, rng.randint(0, 2)):
            skill = Skill.objects.create(staff_member=member, topic=topic)
            if rng.random() < 0.2:
                Skill.objects.filter(pk=skill.pk).update(removed_at=at_noon(today))
    pathways = list(Concept.objects.filter(scheme__code="pathway"))
    writers = [s for s in staff if s.agency_id != agencies[3].pk]
    notes = []
    for n in range(25):
        author = rng.choice(writers)
        notes.append(
            PracticeNote.objects.create(
                title=f"Lesson {n}",
                lesson="Synthetic lesson.",
                pathway=rng.choice(pathways),
                learned_from="case",
                author=author,
                agency_id=author.agency_id,
                written_at=at_noon(today - days(rng.choice([0, 20, 60, 100, 200, 364, 366, 500]))),
            )
        )
    for note in rng.sample(notes, 12):
        for reader in rng.sample([s for s in staff if s.pk != note.author_id], rng.randint(1, 3)):
            NoteUse.objects.create(
                note=note,
                kind="useful",
                by=reader,
                agency_id=reader.agency_id,
                at=at_noon(today - days(rng.choice([1, 45, 120, 300, 400]))),
            )
    for n, held in enumerate([today - days(5), today - days(100), today - days(380), today + days(7)]):
        meeting = Meeting.objects.create(
            kind="case_conference",
            held_on=held,
            chair=staff[0],
            purpose="risk_management",
            created_by=staff[0],
        )
        for m, person in enumerate(people[n * 4 : n * 4 + 4]):
            AgendaPerson.objects.create(
                meeting=meeting, person=person, minutes_item_id=uuid.uuid4() if (n + m) % 3 else None
            )
