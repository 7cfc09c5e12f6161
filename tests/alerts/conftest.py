"""A cohort member with a probation key worker, a police officer who records, and helpers to fan out."""

from __future__ import annotations

import pytest

from iomshare.partnership.models import Role
from iomshare.records.models import Category
from tests.factories import (
    ClauseDocumentFactory,
    CohortMembershipFactory,
    ProtocolDocumentFactory,
    StaffMemberFactory,
    active_protocol,
)
from tests.protocols.conftest import train


@pytest.fixture
def offending(db):
    return Category.objects.get_or_create(code="offending", defaults={"name": "Offending history"})[0]


@pytest.fixture
def key_worker(probation):
    """A probation practitioner with information sharing training in date, key worker of `person`."""
    return train(
        StaffMemberFactory(
            username="probation.kw", agency=probation, role=Role.PRACTITIONER, email="kw@example.org"
        ),
        "information_sharing",
    )


@pytest.fixture
def membership(person, police, key_worker):
    membership = CohortMembershipFactory(person=person, lead_agency=police)
    membership.key_workers.add(key_worker)
    return membership


@pytest.fixture
def protocol(police, probation):
    """Police share offending history (up to OFFICIAL) with probation practitioners and systems for risk
    management; more sensitive items may be known to exist."""
    clause = ClauseDocumentFactory(categories=["offending"], recipient_roles=["practitioner", "system"])
    return active_protocol(ProtocolDocumentFactory(clauses=[clause]))
