"""Vetting caps what a viewer may receive, from other agencies and their own alike."""

import datetime as dt

import pytest
from django.db import IntegrityError
from django.utils import timezone

from iomshare.partnership.models import Role, VettingLevel
from iomshare.protocols.decisions import OWN_AGENCY, RefusalReason, access_grid
from iomshare.protocols.rules import VETTING_NEEDED, cleared_sensitivity
from iomshare.records.models import InformationItem, Sensitivity
from iomshare.records.selectors.grid import grid_filter, own_items_filter
from tests.factories import (
    ClauseDocumentFactory,
    InformationItemFactory,
    ProtocolDocumentFactory,
    StaffMemberFactory,
    active_protocol,
)
from tests.protocols.conftest import train

pytestmark = pytest.mark.django_db


@pytest.fixture
def sensitive_offending(police):
    return active_protocol(
        ProtocolDocumentFactory(
            clauses=[ClauseDocumentFactory(categories=["offending"], max_sensitivity="OFFICIAL-SENSITIVE")]
        )
    )


def vetted(agency, level, *, expires_in=365, role=Role.PRACTITIONER):
    member = StaffMemberFactory(
        agency=agency,
        role=role,
        vetting_level=level,
        vetting_expires_on=timezone.localdate() + dt.timedelta(days=expires_in) if level else None,
    )
    return train(member, "information_sharing")


def test_the_one_mapping_official_needs_none_and_official_sensitive_needs_nppv_level_2():
    assert VETTING_NEEDED == {
        Sensitivity.OFFICIAL: VettingLevel.NONE,
        Sensitivity.OFFICIAL_SENSITIVE: VettingLevel.NPPV2,
    }
    assert cleared_sensitivity(VettingLevel.BPSS, role=Role.PRACTITIONER) == Sensitivity.OFFICIAL
    assert cleared_sensitivity(VettingLevel.NPPV3_SC, role=Role.VOLUNTEER) == Sensitivity.OFFICIAL_SENSITIVE
    assert cleared_sensitivity(VettingLevel.NONE, role=Role.SYSTEM) == Sensitivity.OFFICIAL_SENSITIVE


def test_vetting_below_nppv_level_2_stops_official_sensitive_from_another_agency(
    police, probation, sensitive_offending
):
    member = vetted(probation, VettingLevel.BPSS)
    grid = access_grid(member, "risk_management")
    assert grid.grant_for(police.pk, "offending").max_sensitivity == Sensitivity.OFFICIAL
    refusal = grid.refusals[(police.pk, "offending")]
    assert refusal.reason == RefusalReason.VETTING_TOO_LOW
    assert refusal.from_sensitivity == Sensitivity.OFFICIAL_SENSITIVE
    assert refusal.message.endswith(
        "is withheld because OFFICIAL-SENSITIVE information needs NPPV level 2 vetting: ask your manager about it."
    )
    assert "Baseline Personnel Security Standard" not in refusal.message  # one short sentence, no jargon


def test_expired_vetting_counts_as_none_and_says_when_it_expired(police, probation, sensitive_offending):
    today = timezone.localdate()
    member = vetted(probation, VettingLevel.NPPV2, expires_in=-1)
    grid = access_grid(member, "risk_management")
    refusal = grid.refusals[(police.pk, "offending")]
    assert refusal.reason == RefusalReason.VETTING_EXPIRED
    expired = today - dt.timedelta(days=1)
    assert f"expired on {expired.day} {expired:%B %Y}" in refusal.message
    assert "ask your manager to renew it" in refusal.message
    assert member.vetting_on(today) == VettingLevel.NONE


def test_vetting_in_date_opens_official_sensitive(police, probation, sensitive_offending):
    grid = access_grid(vetted(probation, VettingLevel.NPPV2, expires_in=0), "risk_management")
    assert grid.grant_for(police.pk, "offending").max_sensitivity == Sensitivity.OFFICIAL_SENSITIVE
    assert (police.pk, "offending") not in grid.refusals


def test_vetting_caps_the_viewers_own_agencys_items_too(probation, person):
    volunteer = vetted(probation, VettingLevel.BPSS)
    grid = access_grid(volunteer, "risk_management")
    own = grid.grant_for(probation.pk, "intelligence")
    assert own.clause_id == OWN_AGENCY and own.max_sensitivity == Sensitivity.OFFICIAL
    refusal = grid.refusals[(probation.pk, "intelligence")]
    assert refusal.reason == RefusalReason.VETTING_TOO_LOW and refusal.clause_id is None
    assert "Your agency's police intelligence marked OFFICIAL-SENSITIVE is withheld" in refusal.message

    plain = InformationItemFactory(person=person, holding_agency=probation, sensitivity=Sensitivity.OFFICIAL)
    InformationItemFactory(
        person=person, holding_agency=probation, sensitivity=Sensitivity.OFFICIAL_SENSITIVE
    )
    assert list(InformationItem.objects.filter(grid_filter(grid))) == [plain]
    assert list(InformationItem.objects.filter(own_items_filter(volunteer))) == [plain]
    cleared = vetted(probation, VettingLevel.NPPV3_SC)
    assert InformationItem.objects.filter(own_items_filter(cleared)).count() == 2
    assert InformationItem.objects.filter(grid_filter(access_grid(cleared, "risk_management"))).count() == 2


def test_an_agency_system_account_is_not_capped_by_vetting(police, probation, person):
    active_protocol(
        ProtocolDocumentFactory(
            clauses=[
                ClauseDocumentFactory(
                    categories=["offending"], max_sensitivity="OFFICIAL-SENSITIVE", recipient_roles=["system"]
                )
            ]
        )
    )
    system = vetted(probation, VettingLevel.NONE, role=Role.SYSTEM)
    grid = access_grid(system, "risk_management")
    assert grid.grant_for(police.pk, "offending").max_sensitivity == Sensitivity.OFFICIAL_SENSITIVE
    assert grid.grant_for(probation.pk, "offending").max_sensitivity == Sensitivity.OFFICIAL_SENSITIVE


def test_vetting_above_none_needs_an_expiry_date(probation):
    with pytest.raises(IntegrityError):
        StaffMemberFactory(agency=probation, vetting_level=VettingLevel.NPPV2, vetting_expires_on=None)
