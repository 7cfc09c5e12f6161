"""The demo partnership's protocols go through the real lifecycle and do what they promise."""

import datetime as dt

import pytest
from django.utils import timezone

from iomshare.demo.protocols import load_demo_protocols
from iomshare.partnership.models import AssuranceLevel, Role
from iomshare.protocols.decisions import (
    RefusalReason,
    access_grid,
    access_grids,
    forget_grids,
    purposes_for,
)
from iomshare.protocols.models import ProtocolStatus
from tests.factories import AgencyFactory, StaffMemberFactory
from tests.protocols.conftest import train

pytestmark = pytest.mark.django_db

DEMO_AGENCIES = ["police", "probation", "prison", "council", "health", "charity"]


@pytest.fixture
def demo_agencies(db):
    agencies = {
        code: AgencyFactory(
            code=code,
            name=f"{code.title()} agency",
            kind="vcs" if code == "charity" else "police",
            assurance_level=AssuranceLevel.SELF_ASSESSED if code == "charity" else AssuranceLevel.ACCREDITED,
        )
        for code in DEMO_AGENCIES
    }
    for code, agency in agencies.items():
        StaffMemberFactory(username=f"{code}.ig", agency=agency, role=Role.IG_LEAD)
    return agencies


def test_every_demo_protocol_is_approved_by_each_party_and_active(demo_agencies):
    loaded = load_demo_protocols()
    assert len(loaded) == 4
    for protocol in loaded:
        assert protocol.status == ProtocolStatus.ACTIVE
        assert protocol.approvals.count() == protocol.parties.count()
    assert load_demo_protocols() == [], "loading twice adds nothing"


def test_trained_volunteers_receive_what_a_placement_needs_and_nothing_else(demo_agencies):
    load_demo_protocols()
    charity, probation, police = (demo_agencies[c] for c in ("charity", "probation", "police"))
    volunteer = StaffMemberFactory(agency=charity, role=Role.VOLUNTEER, is_volunteer=True)
    train(volunteer, "volunteer_confidentiality", "safeguarding")
    assert [p.code for p in purposes_for(volunteer)] == ["ete", "volunteering_placement"]
    grid = access_grid(volunteer, "volunteering_placement")
    assert grid.allows(probation.pk, "ete", 1)
    assert grid.grant_for(probation.pk, "ete").redacted_fields == ("employer_contact",)
    assert grid.grant_for(demo_agencies["council"].pk, "accommodation").redacted_fields == (
        "address",
        "landlord_contact",
    )
    assert not grid.allows(probation.pk, "risk", 1)
    assert grid.refusals[(police.pk, "warning_marker")].reason == RefusalReason.VOLUNTEERS_NOT_COVERED

    lapsed = StaffMemberFactory(agency=charity, role=Role.VOLUNTEER, is_volunteer=True)
    train(
        lapsed,
        "volunteer_confidentiality",
        "safeguarding",
        expires_on=timezone.localdate() - dt.timedelta(days=30),
    )
    lapsed_grid = access_grid(lapsed, "volunteering_placement")
    assert not any(grant.holding_agency_id != charity.pk for grant in lapsed_grid.grants.values())
    assert lapsed_grid.refusals[(probation.pk, "ete")].reason == RefusalReason.TRAINING_NOT_CURRENT


def test_every_purpose_decided_on_one_reading_of_the_facts_gives_each_purpose_its_own_grid(
    demo_agencies, django_assert_max_num_queries
):
    load_demo_protocols()
    officer = StaffMemberFactory(agency=demo_agencies["probation"], role=Role.PRACTITIONER)
    train(officer, "data_protection", "information_sharing")
    codes = [p.code for p in purposes_for(officer)]
    assert len(codes) > 1
    alone = {code: access_grid(officer, code) for code in codes}
    forget_grids()
    with django_assert_max_num_queries(6):  # the facts once, not once a purpose
        grids = access_grids(officer, [*codes, "no_such_purpose"])
    together = {grid.purpose_code: grid for grid in grids}
    assert together.keys() == alone.keys() and len(grids) == len(codes)
    for code in codes:
        assert together[code].grants == alone[code].grants
        assert together[code].refusals.keys() == alone[code].refusals.keys()
    # Asked about no purpose in particular: every purpose the officer may declare, as purposes_for.
    assert sorted(grid.purpose_code for grid in access_grids(officer)) == sorted(codes)
