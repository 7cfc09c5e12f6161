"""A small partnership for protocol tests: police, probation and a VCS charity, with trained staff."""

import datetime as dt

import pytest
from django.utils import timezone

from iomshare.partnership.models import AssuranceLevel, Role, VettingLevel
from tests.factories import AgencyFactory, StaffMemberFactory, TrainingRecordFactory


def train(member, *courses, expires_on=None):
    """Give `member` each course, in date unless `expires_on` is in the past."""
    expires_on = expires_on or timezone.localdate() + dt.timedelta(days=300)
    for course in courses:
        TrainingRecordFactory(
            staff_member=member,
            course=course,
            completed_on=expires_on - dt.timedelta(days=365),
            expires_on=expires_on,
        )
    return member


@pytest.fixture
def charity(db):
    return AgencyFactory(
        code="charity",
        name="Second Chance Mentoring",
        kind="vcs",
        is_statutory=False,
        assurance_level=AssuranceLevel.SELF_ASSESSED,
    )


@pytest.fixture
def practitioner(probation):
    """A probation practitioner with information sharing training and NPPV level 2 vetting in date."""
    member = StaffMemberFactory(
        username="probation.practitioner",
        agency=probation,
        role=Role.PRACTITIONER,
        vetting_level=VettingLevel.NPPV2,
        vetting_expires_on=timezone.localdate() + dt.timedelta(days=700),
    )
    return train(member, "information_sharing")


@pytest.fixture
def volunteer(charity):
    member = StaffMemberFactory(
        username="charity.volunteer",
        agency=charity,
        role=Role.VOLUNTEER,
        is_volunteer=True,
        vetting_level=VettingLevel.BPSS,
        vetting_expires_on=timezone.localdate() + dt.timedelta(days=700),
    )
    return train(member, "volunteer_confidentiality", "safeguarding")


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Staff are made by the dozen in property tests; real password hashing would dominate them."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
