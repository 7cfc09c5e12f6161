"""The access grid: what is granted, and for each refusal a reason a person can act on."""

import datetime as dt

import pytest
from django.utils import timezone

from iomshare.errors import InvalidInput, NotPermitted
from iomshare.partnership.models import AssuranceLevel, Role
from iomshare.protocols.decisions import OWN_AGENCY, RefusalReason, access_grid, purposes_for
from iomshare.records.models import InformationItem, Sensitivity
from iomshare.records.selectors.grid import grid_filter
from tests.factories import (
    ClauseDocumentFactory,
    InformationItemFactory,
    ProtocolDocumentFactory,
    StaffMemberFactory,
    active_protocol,
)
from tests.protocols.conftest import train

pytestmark = pytest.mark.django_db


def share(*clauses, **document):
    """Put in force a protocol with these clauses (ClauseDocumentFactory keyword sets)."""
    return active_protocol(
        ProtocolDocumentFactory(clauses=[ClauseDocumentFactory(**c) for c in clauses], **document)
    )


def test_police_offending_history_is_granted_to_a_trained_probation_practitioner(police, practitioner):
    protocol = share({"categories": ["offending"], "max_sensitivity": "OFFICIAL-SENSITIVE"})
    grid = access_grid(practitioner, "risk_management")
    grant = grid.grant_for(police.pk, "offending")
    assert grant is not None
    assert grant.max_sensitivity == Sensitivity.OFFICIAL_SENSITIVE
    assert grant.clause_id == f"protocol:{protocol.reference}:v1:clause:1"
    assert grant.retention_days == protocol.retention_days
    assert (police.pk, "offending") not in grid.refusals


def test_own_agency_items_are_always_granted_whatever_the_purpose(practitioner, probation):
    grid = access_grid(practitioner, "volunteering_placement")
    own = grid.grant_for(probation.pk, "risk")
    assert own.clause_id == OWN_AGENCY
    assert own.max_sensitivity == max(Sensitivity.values)
    assert not grid.clause_ids


def test_no_protocol_covers_the_purpose(police, practitioner):
    share({"categories": ["offending"]})
    grid = access_grid(practitioner, "accommodation")
    refusal = grid.refusals[(police.pk, "offending")]
    assert refusal.reason == RefusalReason.NO_PROTOCOL
    assert "No protocol in force covers accommodation pathway" in refusal.message
    assert refusal.may_disclose_existence is False
    assert not grid.purpose_is_covered


def test_no_protocol_shares_this_category(police, practitioner):
    share({"categories": ["offending"]})
    refusal = access_grid(practitioner, "risk_management").refusals[(police.pk, "intelligence")]
    assert refusal.reason == RefusalReason.NO_PROTOCOL
    assert "lets Northshire Police share police intelligence" in refusal.message


def test_your_role_is_not_a_recipient(police, probation):
    share({"recipient_roles": ["ig_lead"]})
    manager = train(
        StaffMemberFactory(agency=probation, role=Role.PARTNERSHIP_MANAGER), "information_sharing"
    )
    refusal = access_grid(manager, "risk_management").refusals[(police.pk, "offending")]
    assert refusal.reason == RefusalReason.ROLE_NOT_RECIPIENT
    assert "with information-governance leads only, not partnership managers: ask" in refusal.message


def test_volunteers_are_not_covered_unless_a_clause_names_them(police, charity, volunteer):
    share(
        {"recipients": ["charity"], "conditions": {"training": ["safeguarding"]}},
        parties=["police", "charity"],
    )
    refusal = access_grid(volunteer, "risk_management").refusals[(police.pk, "offending")]
    assert refusal.reason == RefusalReason.VOLUNTEERS_NOT_COVERED
    assert refusal.message.endswith("with staff, not volunteers: staff at your agency can ask for this.")


def test_a_trained_volunteer_receives_what_a_volunteer_clause_opens(police, charity, volunteer):
    share(
        {
            "recipients": ["charity"],
            "recipient_roles": [],
            "conditions": {
                "training": ["volunteer_confidentiality"],
                "volunteers_may_receive": True,
            },
        },
        parties=["police", "charity"],
    )
    assert access_grid(volunteer, "risk_management").allows(police.pk, "offending", Sensitivity.OFFICIAL)


def test_expired_training_names_the_course_and_the_day_it_expired(police, probation):
    lapsed_on = timezone.localdate() - dt.timedelta(days=3)
    member = train(StaffMemberFactory(agency=probation), "information_sharing", expires_on=lapsed_on)
    share({})
    refusal = access_grid(member, "risk_management").refusals[(police.pk, "offending")]
    assert refusal.reason == RefusalReason.TRAINING_NOT_CURRENT
    assert "‘Information sharing in IOM’ training expired on" in refusal.message
    assert f"{lapsed_on.day} {lapsed_on:%B %Y}" in refusal.message


def test_training_never_completed_is_named(police, probation):
    member = StaffMemberFactory(agency=probation)
    share({})
    refusal = access_grid(member, "risk_management").refusals[(police.pk, "offending")]
    assert refusal.reason == RefusalReason.TRAINING_NOT_CURRENT
    assert "no record of completing ‘Information sharing in IOM’" in refusal.message


def test_training_closes_access_on_the_day_after_it_expires(police, probation):
    expires_on = timezone.localdate() + dt.timedelta(days=10)
    member = train(StaffMemberFactory(agency=probation), "information_sharing", expires_on=expires_on)
    share({})
    assert access_grid(member, "risk_management", on=expires_on).allows(police.pk, "offending", 1)
    later = access_grid(member, "risk_management", on=expires_on + dt.timedelta(days=1))
    assert not later.allows(police.pk, "offending", 1)
    assert later.refusals[(police.pk, "offending")].reason == RefusalReason.TRAINING_NOT_CURRENT


def test_expired_agency_assurance_closes_access(police, probation, practitioner):
    share({"conditions": {"training": ["information_sharing"], "minimum_assurance": "self_assessed"}})
    probation.assurance_expires_on = timezone.localdate() - dt.timedelta(days=1)
    probation.save()
    practitioner.refresh_from_db()
    refusal = access_grid(practitioner, "risk_management").refusals[(police.pk, "offending")]
    assert refusal.reason == RefusalReason.ASSURANCE_EXPIRED
    assert "security assurance expired on" in refusal.message


def test_agency_assurance_below_the_minimum(police, probation, practitioner):
    probation.assurance_level = AssuranceLevel.CYBER_ESSENTIALS
    probation.save()
    practitioner.refresh_from_db()
    share({"conditions": {"training": ["information_sharing"], "minimum_assurance": "accredited"}})
    refusal = access_grid(practitioner, "risk_management").refusals[(police.pk, "offending")]
    assert refusal.reason == RefusalReason.ASSURANCE_BELOW_MINIMUM
    assert "is below the Accredited" in refusal.message


def test_information_more_sensitive_than_the_protocol_allows(police, practitioner):
    share({"max_sensitivity": "OFFICIAL"})
    grid = access_grid(practitioner, "risk_management")
    assert grid.allows(police.pk, "offending", Sensitivity.OFFICIAL)
    refusal = grid.refusal_for(police.pk, "offending", Sensitivity.OFFICIAL_SENSITIVE)
    assert refusal.reason == RefusalReason.TOO_SENSITIVE
    assert refusal.from_sensitivity == Sensitivity.OFFICIAL_SENSITIVE
    assert grid.refusal_for(police.pk, "offending", Sensitivity.OFFICIAL) is None
    assert "marked OFFICIAL-SENSITIVE is more sensitive than the protocols share" in refusal.message


def test_consent_needed_and_not_recorded(police, practitioner):
    share({"conditions": {"training": ["information_sharing"], "consent_needed": True}})
    refusal = access_grid(practitioner, "risk_management").refusals[(police.pk, "offending")]
    assert refusal.reason == RefusalReason.CONSENT_NOT_RECORDED
    assert "only with the person's consent" in refusal.message
    consented = access_grid(practitioner, "risk_management", consented_sources={police.pk})
    assert consented.allows(police.pk, "offending", 1)


def test_the_nearest_clause_explains_the_refusal(police, probation):
    """A clause the viewer fails only on training beats one they fail on role and training."""
    member = StaffMemberFactory(agency=probation)
    share({"recipient_roles": ["ig_lead"]}, {"conditions": {"training": ["data_protection"]}})
    refusal = access_grid(member, "risk_management").refusals[(police.pk, "offending")]
    assert refusal.reason == RefusalReason.TRAINING_NOT_CURRENT
    assert refusal.clause_id.endswith(":clause:2")


def test_withheld_existence_follows_the_clause(police, practitioner):
    share({"max_sensitivity": "OFFICIAL", "may_disclose_existence": False})
    refusal = access_grid(practitioner, "risk_management").refusals[(police.pk, "offending")]
    assert refusal.may_disclose_existence is False


def test_redactions_of_the_relied_upon_clause_come_with_the_grant(police, practitioner):
    share({"categories": ["offending", "accommodation"], "redact": ["accommodation.address"]})
    grid = access_grid(practitioner, "risk_management")
    assert grid.grant_for(police.pk, "accommodation").redacted_fields == ("address",)
    assert grid.grant_for(police.pk, "offending").redacted_fields == ()


def test_unknown_purpose_is_a_clear_error(practitioner):
    with pytest.raises(InvalidInput, match="not a purpose"):
        access_grid(practitioner, "curiosity")


def test_staff_without_an_agency_cannot_have_a_grid(db):
    with pytest.raises(NotPermitted):
        access_grid(StaffMemberFactory(agency=None), "risk_management")


def test_purposes_offered_are_those_of_protocols_sharing_with_the_viewer(police, practitioner, volunteer):
    share({}, purposes=["risk_management", "resettlement"])
    assert [p.code for p in purposes_for(practitioner)] == ["resettlement", "risk_management"]
    assert purposes_for(volunteer) == []


def test_grid_filter_matches_exactly_the_granted_items(police, probation, practitioner, person):
    share({"categories": ["offending"], "max_sensitivity": "OFFICIAL"})
    own = InformationItemFactory(person=person, holding_agency=probation, sensitivity=2)
    shared = InformationItemFactory(person=person, holding_agency=police, category__code="offending")
    InformationItemFactory(person=person, holding_agency=police, category__code="offending", sensitivity=2)
    InformationItemFactory(person=person, holding_agency=police, category__code="intelligence")
    grid = access_grid(practitioner, "risk_management")
    found = set(InformationItem.objects.filter(grid_filter(grid)).values_list("id", flat=True))
    assert found == {own.id, shared.id}


def test_an_information_governance_lead_is_not_told_to_ask_their_information_governance_lead(
    police, probation, practitioner
):
    share({"conditions": {"training": ["information_sharing"], "minimum_assurance": "accredited"}})
    probation.assurance_level = AssuranceLevel.CYBER_ESSENTIALS
    probation.save()
    ig_lead = train(StaffMemberFactory(agency=probation, role=Role.IG_LEAD), "information_sharing")
    share({"recipient_roles": ["ig_lead"], "conditions": {"minimum_assurance": "accredited"}})
    for member in (ig_lead, practitioner):
        member.refresh_from_db()
    told_ig = access_grid(ig_lead, "risk_management").refusals[(police.pk, "offending")].message
    told_practitioner = (
        access_grid(practitioner, "risk_management").refusals[(police.pk, "offending")].message
    )
    assert "information-governance lead" not in told_ig
    assert told_ig.endswith("raise it to receive it.")
    assert told_practitioner.endswith("your information-governance lead can raise it.")


def test_withheld_reasons_are_one_sentence_with_no_protocol_codes(police, practitioner):
    share({"conditions": {"training": ["information_sharing"], "consent_needed": True}})
    refusals = access_grid(practitioner, "risk_management").refusals.values()
    assert refusals
    for refusal in refusals:
        assert "protocol:" not in refusal.message
        assert refusal.message.count(". ") == 0, refusal.message  # one sentence
        assert ":" in refusal.message  # a why, then what to do
