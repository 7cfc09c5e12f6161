"""Lifecycle: drafts, approval by each party's IG lead, activation, suspension, ending, versions."""

import pytest

from iomshare.errors import InvalidInput, NotPermitted
from iomshare.partnership.models import Role
from iomshare.protocols import cedar, services, yaml_format
from iomshare.protocols.decisions import RefusalReason, access_grid
from iomshare.protocols.models import ProtocolStatus
from iomshare.protocols.selectors import rules_of, versions_of
from tests.factories import (
    ClauseDocumentFactory,
    ProtocolDocumentFactory,
    StaffMemberFactory,
    active_protocol,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def leads(police, probation, charity):
    return {
        agency.code: StaffMemberFactory(agency=agency, role=Role.IG_LEAD, username=f"{agency.code}.ig")
        for agency in (police, probation, charity)
    }


def draft(**document):
    return services.draft_protocol(yaml_format.validate(ProtocolDocumentFactory(**document)), by=None)


def test_a_draft_becomes_active_only_once_every_party_has_approved(leads, practitioner, police):
    protocol = draft()
    services.approve_protocol(protocol, by=leads["police"])
    protocol.refresh_from_db()
    assert protocol.status == ProtocolStatus.DRAFT
    assert not access_grid(practitioner, "risk_management").allows(police.pk, "offending", 1)
    approval = services.approve_protocol(protocol, by=leads["probation"])
    protocol.refresh_from_db()
    assert protocol.status == ProtocolStatus.ACTIVE
    assert approval.approved_by == leads["probation"] and approval.approved_at is not None
    assert {a.agency.code for a in protocol.approvals.all()} == {"police", "probation"}
    assert access_grid(practitioner, "risk_management").allows(police.pk, "offending", 1)


def test_only_an_information_governance_lead_can_approve(leads, practitioner):
    with pytest.raises(NotPermitted, match="information-governance lead"):
        services.approve_protocol(draft(), by=practitioner)


def test_an_ig_lead_of_a_non_party_cannot_approve(leads):
    with pytest.raises(NotPermitted, match="not a party"):
        services.approve_protocol(draft(), by=leads["charity"])


def test_a_party_approves_once(leads):
    protocol = draft(parties=["police", "probation", "charity"])
    services.approve_protocol(protocol, by=leads["police"])
    with pytest.raises(InvalidInput, match="already approved"):
        services.approve_protocol(protocol, by=leads["police"])


def test_suspension_closes_access_at_once_and_resuming_reopens_it(leads, practitioner, police):
    protocol = active_protocol()
    assert access_grid(practitioner, "risk_management").allows(police.pk, "offending", 1)
    services.suspend(protocol, by=leads["probation"], reason="Breach under investigation")
    grid = access_grid(practitioner, "risk_management")
    assert not grid.allows(police.pk, "offending", 1)
    assert grid.refusals[(police.pk, "offending")].reason == RefusalReason.NO_PROTOCOL
    with pytest.raises(NotPermitted):
        services.activate(protocol, by=leads["probation"])
    services.activate(protocol, by=leads["police"])
    assert access_grid(practitioner, "risk_management").allows(police.pk, "offending", 1)


def test_a_suspension_needs_a_reason(leads):
    with pytest.raises(InvalidInput, match="reason"):
        services.suspend(active_protocol(), by=leads["police"], reason=" ")


def test_ending_a_protocol_closes_access_for_good(leads, practitioner, police):
    protocol = active_protocol()
    with pytest.raises(NotPermitted, match="owner"):
        services.expire(protocol, by=leads["probation"], reason="No longer needed")
    services.expire(protocol, by=leads["police"], reason="Replaced by the regional protocol")
    assert not access_grid(practitioner, "risk_management").allows(police.pk, "offending", 1)
    with pytest.raises(InvalidInput):
        services.activate(protocol, by=leads["police"])


def test_a_new_version_replaces_the_old_which_is_kept(leads, practitioner, police):
    first = active_protocol()
    second = services.new_version(first, by=leads["police"])
    assert (second.version, second.status) == (2, ProtocolStatus.DRAFT)
    assert second.clauses.count() == first.clauses.count()
    with pytest.raises(InvalidInput, match="draft of the next version already exists"):
        services.new_version(first, by=leads["police"])
    # Until the new version is approved, the first stays in force.
    assert (
        access_grid(practitioner, "risk_management")
        .grant_for(police.pk, "offending")
        .clause_id.endswith(":v1:clause:1")
    )
    for lead in (leads["police"], leads["probation"]):
        services.approve_protocol(second, by=lead)
    first.refresh_from_db()
    assert first.status == ProtocolStatus.SUPERSEDED
    assert [(p.version, p.status) for p in versions_of(first.reference)] == [
        (2, ProtocolStatus.ACTIVE),
        (1, ProtocolStatus.SUPERSEDED),
    ]
    assert (
        access_grid(practitioner, "risk_management")
        .grant_for(police.pk, "offending")
        .clause_id.endswith(":v2:clause:1")
    )


def test_a_version_whose_policies_do_not_validate_cannot_become_active(leads, monkeypatch):
    protocol = draft()
    real = cedar.clause_policy
    monkeypatch.setattr(
        cedar, "clause_policy", lambda rule: real(rule).replace("principal.role", "principal.rank")
    )
    services.approve_protocol(protocol, by=leads["police"])
    with pytest.raises(InvalidInput, match="do not validate"):
        services.approve_protocol(protocol, by=leads["probation"])
    protocol.refresh_from_db()
    assert protocol.status == ProtocolStatus.DRAFT
    assert protocol.approvals.count() == 1


def test_compiled_policies_carry_an_id_naming_protocol_version_and_clause(leads):
    protocol = active_protocol(
        ProtocolDocumentFactory(
            clauses=[ClauseDocumentFactory(), ClauseDocumentFactory(shared_by="probation")]
        )
    )
    text = cedar.compile_rules(rules_of(protocol))
    assert text.count("permit (") == 2
    assert f'@id("protocol:{protocol.reference}:v1:clause:1")' in text
    assert f'@id("protocol:{protocol.reference}:v1:clause:2")' in text
    assert "forbid" not in text
    assert cedar.schema_errors(text) == []


def test_only_ig_leads_of_a_party_or_the_partnership_manager_draft(police, probation, charity, practitioner):
    with pytest.raises(NotPermitted):
        services.draft_protocol(yaml_format.validate(ProtocolDocumentFactory()), by=practitioner)
    outsider = StaffMemberFactory(agency=charity, role=Role.IG_LEAD)
    with pytest.raises(NotPermitted):
        services.draft_protocol(yaml_format.validate(ProtocolDocumentFactory()), by=outsider)
    manager = StaffMemberFactory(agency=police, role=Role.PARTNERSHIP_MANAGER)
    assert (
        services.draft_protocol(yaml_format.validate(ProtocolDocumentFactory()), by=manager).created_by
        == manager
    )
