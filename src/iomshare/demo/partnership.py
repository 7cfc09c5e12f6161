"""The demo partnership's agencies, staff accounts and training records.

Usernames are fixed and predictable (`police.practitioner`, `charity.volunteer`, `admin`) so a
person trying the demo can sign in as each role; names, dates and assurance come from the seed.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from faker import Faker

from iomshare.demo.cohort import LONDON
from iomshare.partnership.models import (
    Agency,
    AgencyKind,
    AssuranceLevel,
    Course,
    Role,
    StaffMember,
    TrainingRecord,
    VettingLevel,
)


@dataclass(frozen=True)
class AgencySpec:
    code: str
    name: str
    kind: AgencyKind
    assurance_level: AssuranceLevel
    # Days from today until the assurance expires: a range, so the seed picks a date in it.
    assurance_days: tuple[int, int]

    @property
    def is_statutory(self) -> bool:
        return self.kind != AgencyKind.VCS


AGENCIES: list[AgencySpec] = [
    AgencySpec("police", "Northshire Police", AgencyKind.POLICE, AssuranceLevel.ACCREDITED, (200, 700)),
    AgencySpec(
        "probation",
        "Probation Service – Northshire",
        AgencyKind.PROBATION,
        AssuranceLevel.ACCREDITED,
        (200, 700),
    ),
    AgencySpec("prison", "HMP Northshire", AgencyKind.PRISON, AssuranceLevel.ACCREDITED, (200, 700)),
    AgencySpec(
        "council",
        "Northshire Council Housing Options",
        AgencyKind.COUNCIL,
        AssuranceLevel.CYBER_ESSENTIALS_PLUS,
        (90, 360),
    ),
    AgencySpec(
        "health",
        "Northshire Recovery Service (NHS)",
        AgencyKind.HEALTH,
        AssuranceLevel.CYBER_ESSENTIALS,
        (90, 360),
    ),
    # A small charity's self-assessment is renewed yearly and is the first to lapse: the demo shows it
    # close to expiry, but still current.
    AgencySpec("charity", "Second Chance Mentoring", AgencyKind.VCS, AssuranceLevel.SELF_ASSESSED, (30, 120)),
]
AGENCY_CODES = [spec.code for spec in AGENCIES]


@dataclass(frozen=True)
class StaffSpec:
    username: str
    agency: str
    role: Role
    job_title: str
    note: str = ""
    has_lapsed_training: bool = False

    @property
    def is_volunteer(self) -> bool:
        return self.role == Role.VOLUNTEER


STAFF: list[StaffSpec] = [
    StaffSpec("police.practitioner", "police", Role.PRACTITIONER, "IOM police constable"),
    StaffSpec("police.practitioner2", "police", Role.PRACTITIONER, "IOM detective constable"),
    StaffSpec("police.ig", "police", Role.IG_LEAD, "Information-governance lead"),
    StaffSpec("partnership.manager", "police", Role.PARTNERSHIP_MANAGER, "IOM partnership manager"),
    StaffSpec("probation.practitioner", "probation", Role.PRACTITIONER, "Probation officer"),
    StaffSpec("probation.practitioner2", "probation", Role.PRACTITIONER, "Probation services officer"),
    StaffSpec("probation.ig", "probation", Role.IG_LEAD, "Information-governance lead"),
    StaffSpec("prison.practitioner", "prison", Role.PRACTITIONER, "Pre-release resettlement officer"),
    StaffSpec("prison.ig", "prison", Role.IG_LEAD, "Information-governance lead"),
    StaffSpec("council.practitioner", "council", Role.PRACTITIONER, "Housing options officer"),
    StaffSpec("council.ig", "council", Role.IG_LEAD, "Information-governance lead"),
    StaffSpec("admin", "council", Role.ADMIN, "System administrator", note="Django admin at /admin/"),
    StaffSpec("health.practitioner", "health", Role.PRACTITIONER, "Recovery worker"),
    StaffSpec("health.practitioner2", "health", Role.PRACTITIONER, "Criminal justice nurse"),
    StaffSpec("health.ig", "health", Role.IG_LEAD, "Information-governance lead"),
    StaffSpec("charity.practitioner", "charity", Role.PRACTITIONER, "Mentoring coordinator"),
    StaffSpec("charity.volunteer", "charity", Role.VOLUNTEER, "Volunteer mentor"),
    StaffSpec("charity.volunteer2", "charity", Role.VOLUNTEER, "Volunteer mentor"),
    StaffSpec(
        "charity.volunteer.expired",
        "charity",
        Role.VOLUNTEER,
        "Volunteer mentor",
        note="training expired: sees nothing from other agencies",
        has_lapsed_training=True,
    ),
    StaffSpec("charity.ig", "charity", Role.IG_LEAD, "Information-governance lead (trustee)"),
]

# Police staff hold NPPV level 3 / SC; other statutory staff and the charity's coordinator and
# IG lead NPPV level 2, enough for OFFICIAL-SENSITIVE; volunteers BPSS, so OFFICIAL only, even
# of their own charity's items (protocols.rules.VETTING_NEEDED).
VETTING_RENEWED_EVERY_DAYS = 5 * 365


def vetting_for(spec: StaffSpec) -> VettingLevel:
    if spec.is_volunteer:
        return VettingLevel.BPSS
    if spec.agency == "police":
        return VettingLevel.NPPV3_SC
    return VettingLevel.NPPV2


# How long each course stays valid before it must be retaken.
COURSE_VALIDITY_DAYS = {
    Course.DATA_PROTECTION: 365,
    Course.INFORMATION_SHARING: 730,
    Course.SAFEGUARDING: 1095,
    Course.VOLUNTEER_CONFIDENTIALITY: 365,
    Course.CYBER_SECURITY: 365,
}


def courses_for(spec: StaffSpec) -> list[Course]:
    """The courses a partnership would expect this role to have completed."""
    courses = [Course.DATA_PROTECTION, Course.INFORMATION_SHARING, Course.CYBER_SECURITY]
    if spec.role in {Role.PRACTITIONER, Role.VOLUNTEER, Role.PARTNERSHIP_MANAGER}:
        courses.append(Course.SAFEGUARDING)
    if spec.is_volunteer:
        courses.append(Course.VOLUNTEER_CONFIDENTIALITY)
    return courses


def build_agencies(rng: random.Random, today: dt.date) -> list[Agency]:
    """Unsaved agencies, every one with current assurance."""
    return [
        Agency(
            code=spec.code,
            name=spec.name,
            kind=spec.kind,
            is_statutory=spec.is_statutory,
            assurance_level=spec.assurance_level,
            assurance_expires_on=today + dt.timedelta(days=rng.randint(*spec.assurance_days)),
        )
        for spec in AGENCIES
    ]


def build_staff(
    rng: random.Random, fake: Faker, agencies: dict[str, Agency], password_hash: str, joined_on: dt.date
) -> list[StaffMember]:
    """Unsaved staff accounts, all sharing one password hash (see DEMO_PASSWORD)."""
    staff = []
    for spec in STAFF:
        first_name = fake.first_name_female() if rng.random() < 0.55 else fake.first_name_male()
        last_name = fake.last_name()
        staff.append(
            StaffMember(
                username=spec.username,
                password=password_hash,
                first_name=first_name,
                last_name=last_name,
                email=f"{spec.username}@{spec.agency}.northshire.example",
                agency=agencies[spec.agency],
                role=spec.role,
                is_volunteer=spec.is_volunteer,
                job_title=spec.job_title,
                vetting_level=vetting_for(spec),
                # Vetted when they joined; renewed every five years, so in date throughout the demo.
                vetting_expires_on=joined_on + dt.timedelta(days=VETTING_RENEWED_EVERY_DAYS),
                is_staff=spec.role == Role.ADMIN,
                is_superuser=spec.role == Role.ADMIN,
                # Seed-stable: anchored on a date, not on the moment of the run.
                date_joined=dt.datetime.combine(joined_on, dt.time(9, 0), LONDON),
            )
        )
    return staff


def build_training(rng: random.Random, staff: list[StaffMember], today: dt.date) -> list[TrainingRecord]:
    """Training records: current for everyone except the volunteer whose training has lapsed."""
    lapsed = {spec.username for spec in STAFF if spec.has_lapsed_training}
    specs = {spec.username: spec for spec in STAFF}
    records = []
    for member in staff:
        for course in courses_for(specs[member.username]):
            validity = COURSE_VALIDITY_DAYS[course]
            if member.username in lapsed:
                # Lapsed between three weeks and three months ago: long enough to be noticed.
                age = validity + rng.randint(21, 90)
            else:
                age = rng.randint(14, validity - 14)
            completed_on = today - dt.timedelta(days=age)
            records.append(
                TrainingRecord(
                    staff_member=member,
                    course=course,
                    completed_on=completed_on,
                    expires_on=completed_on + dt.timedelta(days=validity),
                )
            )
    return records


def load_demo_consent_and_access_lists(today: dt.date) -> None:
    """Give IG leads the consent override permission, and a few people consent records and access lists.

    Call after the cohort is saved. People are taken from the end of the cohort in name order, so
    the first people a demo user meets are not hidden by an access list.
    """
    from django.contrib.auth.models import Permission

    from iomshare.people.models import AccessListEntry, AccessListKind, Person
    from iomshare.protocols.models import ConsentMethod, ConsentRecord, Purpose

    staff = {member.username: member for member in StaffMember.objects.select_related("agency")}
    override = Permission.objects.get(content_type__app_label="protocols", codename="override_consent")
    for member in staff.values():
        if member.role == Role.IG_LEAD:
            member.user_permissions.add(override)
    people = list(Person.objects.order_by("-family_name", "-given_name", "-pk")[:4])
    if len(people) < 4:
        return
    restricted, excluded, consenting, withdrawn = people
    health = staff["health.practitioner"]
    assert health.agency is not None  # build_staff gives every demo member an agency
    given = ConsentRecord.objects.create(
        person=consenting,
        sharing_agency=health.agency,
        given_on=today - dt.timedelta(days=30),
        expires_on=today + dt.timedelta(days=335),
        method=ConsentMethod.WRITTEN,
        notes="Signed consent form scanned to the recovery service's case file.",
        recorded_by=health,
    )
    given.purposes.set(Purpose.objects.filter(code__in=["health", "substance_misuse"]))
    ConsentRecord.objects.create(
        person=withdrawn,
        sharing_agency=health.agency,
        all_purposes=True,
        given_on=today - dt.timedelta(days=120),
        method=ConsentMethod.VERBAL,
        recorded_by=health,
        withdrawn_at=dt.datetime.combine(today - dt.timedelta(days=5), dt.time(11, 0), LONDON),
        withdrawn_by=health,
        withdrawal_notes="Said at the appointment that they no longer want health information shared.",
    )
    police_lead, probation_lead = staff["police.ig"], staff["probation.ig"]
    at = dt.datetime.combine(today - dt.timedelta(days=12), dt.time(10, 0), LONDON)
    AccessListEntry.objects.bulk_create(
        [
            AccessListEntry(
                person=excluded,
                kind=AccessListKind.EXCLUSION,
                staff_member=staff["police.practitioner2"],
                reason="Lives on the same estate as the person's family.",
                added_by=police_lead,
                added_at=at,
                review_on=today + dt.timedelta(days=170),
            ),
            *[
                AccessListEntry(
                    person=restricted,
                    kind=AccessListKind.RESTRICTION,
                    staff_member=staff[username],
                    reason="Prosecution witness in a current trial: named case workers only.",
                    added_by=probation_lead,
                    added_at=at,
                    review_on=today + dt.timedelta(days=80),
                )
                for username in ("probation.practitioner", "police.practitioner", "probation.ig")
            ],
        ]
    )
