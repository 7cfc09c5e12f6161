"""A person known to police (who receive the request) and probation; a charity that holds nothing."""

import datetime as dt

import pytest
from django.utils import timezone

from iomshare.partnership.models import Role
from iomshare.records.models import HandlingCode, Sensitivity
from tests.factories import (
    AgencyFactory,
    CategoryFactory,
    CohortMembershipFactory,
    InformationItemFactory,
    StaffMemberFactory,
)


@pytest.fixture(autouse=True)
def ledger_keys(settings, tmp_path):
    settings.LEDGER_SIGNING_KEY_FILE = str(tmp_path / "keys" / "ledger_signing_key.pem")
    settings.LEDGER_TRUSTED_KEYS_DIR = str(tmp_path / "keys" / "trusted")


@pytest.fixture
def charity(db):
    return AgencyFactory(code="charity", name="Second Chance Trust", kind="vcs", is_statutory=False)


@pytest.fixture
def police_ig(police):
    return StaffMemberFactory(
        username="police.ig", agency=police, role=Role.IG_LEAD, first_name="Ida", last_name="Grant"
    )


@pytest.fixture
def probation_ig(probation):
    return StaffMemberFactory(
        username="probation.ig", agency=probation, role=Role.IG_LEAD, first_name="Pat", last_name="Reid"
    )


@pytest.fixture
def charity_ig(charity):
    return StaffMemberFactory(
        username="charity.ig", agency=charity, role=Role.IG_LEAD, first_name="Cal", last_name="Moss"
    )


@pytest.fixture
def holdings(person, police, probation, officer, probation_officer):
    CohortMembershipFactory(person=person, lead_agency=police)
    return {
        "intelligence": InformationItemFactory(
            person=person,
            holding_agency=police,
            author=officer,
            category=CategoryFactory(code="intelligence"),
            sensitivity=Sensitivity.OFFICIAL_SENSITIVE,
            summary="MARKER-police-intelligence",
            details="Seen with a known supplier",
        ),
        "no_onward": InformationItemFactory(
            person=person,
            holding_agency=police,
            author=officer,
            handling_code=HandlingCode.NO_ONWARD_SHARING,
            summary="MARKER-police-no-onward-sharing",
        ),
        "risk": InformationItemFactory(
            person=person,
            holding_agency=probation,
            author=probation_officer,
            category=CategoryFactory(code="assessment"),
            summary="MARKER-probation-risk-summary",
            details="Risk of serious harm: medium",
            payload={
                "form": "risk_summary",
                "version": 1,
                "answers": {"risk_level": "medium", "victim_name": "MARKER-victim"},
            },
        ),
        "restricted": InformationItemFactory(
            person=person,
            holding_agency=probation,
            author=probation_officer,
            summary="MARKER-probation-restricted",
            restricted_at=timezone.now(),
            restricted_reason="Accuracy disputed",
        ),
    }


@pytest.fixture
def received_on():
    return timezone.localdate() - dt.timedelta(days=3)
