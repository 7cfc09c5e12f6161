"""Remembered grids: the Cedar batch is skipped when nothing has changed, and never when anything has.

The grid is remembered under every fact it rests on, read fresh on each call, so each change below
must be seen by the very next read (invariant 5: an expiry closes access at once).
"""

import datetime as dt

import pytest
from django.utils import timezone

from iomshare.partnership.models import Role, StaffMember, VettingLevel
from iomshare.protocols import decisions
from iomshare.protocols.decisions import RefusalReason, access_grid
from iomshare.protocols.services import suspend
from tests.factories import ClauseDocumentFactory, ProtocolDocumentFactory, active_protocol

pytestmark = pytest.mark.django_db


@pytest.fixture
def computed(monkeypatch):
    """How many times the grid was really computed (not remembered)."""
    calls = []
    real = decisions.compute_grid

    def counting(*args, **kwargs):
        calls.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(decisions, "compute_grid", counting)
    return calls


@pytest.fixture
def protocol(police, probation):
    return active_protocol(ProtocolDocumentFactory(clauses=[ClauseDocumentFactory()]))


def test_the_same_facts_are_decided_once(protocol, police, practitioner, computed):
    first = access_grid(practitioner, "risk_management")
    again = access_grid(practitioner, "risk_management")
    assert again is first and len(computed) == 1
    access_grid(practitioner, "accommodation")
    assert len(computed) == 2, "another purpose is another decision"


def test_lapsed_training_is_seen_by_the_next_read(protocol, police, practitioner, computed):
    assert access_grid(practitioner, "risk_management").allows(police.pk, "offending", 1)
    practitioner.training.update(expires_on=timezone.localdate() - dt.timedelta(days=1))
    refusal = access_grid(practitioner, "risk_management").refusals[(police.pk, "offending")]
    assert refusal.reason == RefusalReason.TRAINING_NOT_CURRENT and len(computed) == 2


def test_expired_vetting_is_seen_by_the_next_read(police, practitioner, computed):
    today = timezone.localdate()
    active_protocol(
        ProtocolDocumentFactory(clauses=[ClauseDocumentFactory(max_sensitivity="OFFICIAL-SENSITIVE")])
    )
    assert access_grid(practitioner, "risk_management").allows(police.pk, "offending", 2)
    practitioner.vetting_expires_on = today - dt.timedelta(days=1)
    practitioner.save()
    refusal = access_grid(practitioner, "risk_management").refusal_for(police.pk, "offending", 2)
    assert refusal.reason == RefusalReason.VETTING_EXPIRED and len(computed) == 2
    practitioner.vetting_level, practitioner.vetting_expires_on = VettingLevel.NPPV2, today
    practitioner.save()
    assert access_grid(practitioner, "risk_management").allows(police.pk, "offending", 2)


def test_expired_agency_assurance_is_seen_by_the_next_read(police, probation, practitioner, computed):
    active_protocol(
        ProtocolDocumentFactory(
            clauses=[ClauseDocumentFactory(conditions={"minimum_assurance": "self_assessed"})]
        )
    )
    assert access_grid(practitioner, "risk_management").allows(police.pk, "offending", 1)
    probation.assurance_expires_on = timezone.localdate() - dt.timedelta(days=1)
    probation.save()
    practitioner.refresh_from_db()
    refusal = access_grid(practitioner, "risk_management").refusals[(police.pk, "offending")]
    assert refusal.reason == RefusalReason.ASSURANCE_EXPIRED


def test_a_suspended_protocol_is_seen_by_the_next_read(protocol, police, practitioner, computed):
    assert access_grid(practitioner, "risk_management").allows(police.pk, "offending", 1)
    police_lead = StaffMember.objects.get(agency=police, role=Role.IG_LEAD)
    suspend(protocol, by=police_lead, reason="Breach under investigation")
    refusal = access_grid(practitioner, "risk_management").refusals[(police.pk, "offending")]
    assert refusal.reason == RefusalReason.NO_PROTOCOL


def test_the_next_day_is_decided_again(protocol, police, practitioner, computed):
    today = timezone.localdate()
    access_grid(practitioner, "risk_management", on=today)
    access_grid(practitioner, "risk_management", on=today + dt.timedelta(days=1))
    assert len(computed) == 2


def test_consent_is_part_of_what_is_remembered(police, practitioner, computed):
    active_protocol(
        ProtocolDocumentFactory(clauses=[ClauseDocumentFactory(conditions={"consent_needed": True})])
    )
    assert not access_grid(practitioner, "risk_management").allows(police.pk, "offending", 1)
    assert access_grid(practitioner, "risk_management", consented_sources={police.pk}).allows(
        police.pk, "offending", 1
    )
    assert not access_grid(practitioner, "risk_management").allows(police.pk, "offending", 1)
