"""Cohort management: refer, select, allocate key workers, review, leave; who may, and bad input."""

import datetime as dt

import pytest
from django.utils import timezone

from iomshare.errors import InvalidInput, NotFound, NotPermitted
from iomshare.ledger.models import Action, LedgerEntry
from iomshare.partnership.models import Role
from iomshare.people import services
from iomshare.people.access_lists import add_to_access_list
from iomshare.people.models import (
    CohortChange,
    CohortChangeKind,
    CohortMembership,
    CohortReferral,
    ExitReason,
    ReferralStatus,
)
from iomshare.retention.due import refresh_person_dates
from iomshare.retention.models import PersonDates
from tests.factories import CohortMembershipFactory, StaffMemberFactory, access_review_date

REASON = "Three burglaries in six months and released last week with no address."
TODAY = timezone.localdate


@pytest.fixture
def manager(police):
    return StaffMemberFactory(username="manager", agency=police, role=Role.PARTNERSHIP_MANAGER)


@pytest.fixture
def referral(officer, person):
    return services.refer_for_cohort(by=officer, person=person, source="release", reason=REASON)


@pytest.fixture
def membership(referral, manager, probation):
    return services.accept_referral(referral, by=manager, tier="fixed", lead_agency="probation")


def cohort_entries():
    return list(LedgerEntry.objects.filter(action=Action.COHORT_CHANGED).order_by("id"))


def test_any_partner_agency_refers_a_person_with_reason_and_source(officer, person):
    referral = services.refer_for_cohort(by=officer, person=person, source="release", reason=REASON)
    assert referral.status == ReferralStatus.AWAITING_PANEL
    assert referral.referring_agency == officer.agency
    (change,) = CohortChange.objects.filter(person=person)
    assert change.kind == CohortChangeKind.REFERRED and change.reason == REASON
    (entry,) = cohort_entries()
    assert entry.person_id == person.pk and entry.details["change"] == "referred"


def test_a_referral_with_bad_input_names_each_field_and_changes_nothing(officer, person):
    with pytest.raises(InvalidInput) as error:
        services.refer_for_cohort(by=officer, person=person, source="rumour", reason="bad")
    assert set(error.value.field_errors) == {"source", "reason"}
    assert "at least 10 characters" in error.value.field_errors["reason"]
    assert not CohortReferral.objects.exists() and not cohort_entries()


def test_volunteers_do_not_refer(person, police):
    volunteer = StaffMemberFactory(agency=police, role=Role.VOLUNTEER, is_volunteer=True)
    with pytest.raises(NotPermitted):
        services.refer_for_cohort(by=volunteer, person=person, source="release", reason=REASON)
    assert not CohortReferral.objects.exists()


def test_a_person_hidden_by_an_access_list_cannot_be_referred_as_if_absent(officer, person, police):
    ig = StaffMemberFactory(agency=police, role=Role.IG_LEAD)
    add_to_access_list(
        person,
        "exclusion",
        officer,
        by=ig,
        reason="The officer is a neighbour.",
        review_on=access_review_date(),
    )
    with pytest.raises(NotFound):
        services.refer_for_cohort(by=officer, person=person, source="release", reason=REASON)


def test_a_person_already_referred_or_in_the_cohort_is_not_referred_again(
    officer, probation_officer, referral, manager
):
    with pytest.raises(InvalidInput, match="not made") as error:
        services.refer_for_cohort(
            by=probation_officer, person=referral.person, source="release", reason=REASON
        )
    assert "waiting for the panel" in error.value.field_errors["person"]
    services.accept_referral(referral, by=manager, tier="flex", lead_agency="police")
    with pytest.raises(InvalidInput) as error:
        services.refer_for_cohort(
            by=probation_officer, person=referral.person, source="release", reason=REASON
        )
    assert "already in the cohort" in error.value.field_errors["person"]


def test_the_panel_accepts_with_tier_lead_agency_and_review_date(referral, manager, probation):
    membership = services.accept_referral(referral, by=manager, tier="fixed", lead_agency="probation")
    assert (membership.tier, membership.lead_agency, membership.started_on) == ("fixed", probation, TODAY())
    assert membership.review_on == TODAY() + services.DEFAULT_REVIEW_AFTER
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED and referral.membership == membership
    assert CohortMembership.objects.current().filter(person=referral.person).exists()
    assert [e.details["change"] for e in cohort_entries()] == ["referred", "accepted"]


def test_only_the_panel_decides_a_referral(referral, officer, probation_officer):
    for someone in (officer, probation_officer):
        with pytest.raises(NotPermitted, match="selection panel"):
            services.accept_referral(referral, by=someone, tier="fixed", lead_agency="police")
        with pytest.raises(NotPermitted):
            services.decline_referral(referral, by=someone, reason="Does not meet the criteria at all.")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.AWAITING_PANEL and not CohortMembership.objects.exists()


def test_an_incomplete_acceptance_names_each_field_and_changes_nothing(referral, manager):
    with pytest.raises(InvalidInput) as error:
        services.accept_referral(
            referral, by=manager, tier="gold", lead_agency="nowhere", review_on=TODAY() - dt.timedelta(days=1)
        )
    assert set(error.value.field_errors) == {"tier", "lead_agency", "review_on"}
    assert "'nowhere' is not an agency" in error.value.field_errors["lead_agency"]
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.AWAITING_PANEL and not CohortMembership.objects.exists()


def test_the_panel_declines_with_a_reason_and_a_decided_referral_stays_decided(referral, manager):
    with pytest.raises(InvalidInput) as error:
        services.decline_referral(referral, by=manager, reason="")
    assert error.value.field_errors == {"reason": "Enter why the panel declined the referral"}
    services.decline_referral(referral, by=manager, reason="Offending is below the Flex threshold.")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DECLINED and referral.decided_by == manager
    with pytest.raises(InvalidInput, match="already been decided"):
        services.accept_referral(referral, by=manager, tier="fixed", lead_agency="police")
    assert not CohortMembership.objects.exists()


def test_key_workers_from_several_agencies_are_assigned_and_changed(
    membership, manager, officer, probation_officer
):
    services.assign_key_worker(membership, by=manager, key_worker=officer)
    services.assign_key_worker(membership, by=probation_officer, key_worker=probation_officer)
    assert set(membership.key_workers.all()) == {officer, probation_officer}
    with pytest.raises(InvalidInput, match="not removed") as error:
        services.remove_key_worker(membership, by=manager, key_worker=officer, reason="")
    assert "reason" in error.value.field_errors
    services.remove_key_worker(
        membership, by=manager, key_worker=officer, reason="Officer moved to another team."
    )
    assert list(membership.key_workers.all()) == [probation_officer]
    kinds = list(
        CohortChange.objects.filter(membership=membership).order_by("id").values_list("kind", flat=True)
    )
    assert kinds == ["accepted", "key_worker_assigned", "key_worker_assigned", "key_worker_removed"]
    assert len(cohort_entries()) == 5


def test_staff_outside_the_lead_agency_and_the_panel_do_not_allocate(membership, officer):
    # The membership is led by probation; a police practitioner may not allocate.
    with pytest.raises(NotPermitted):
        services.assign_key_worker(membership, by=officer, key_worker=officer)
    assert not membership.key_workers.exists()


def test_a_key_worker_must_be_a_practitioner_or_volunteer_who_may_see_the_person(
    membership, manager, police, officer
):
    ig = StaffMemberFactory(agency=police, role=Role.IG_LEAD)
    with pytest.raises(InvalidInput, match="No key worker was assigned") as error:
        services.assign_key_worker(membership, by=manager, key_worker=ig)
    assert "cannot be a key worker" in error.value.field_errors["key_worker"]
    # Placed by the lead agency's IG lead, the exclusion is in force at once (access-list governance).
    add_to_access_list(
        membership.person,
        "exclusion",
        officer,
        by=StaffMemberFactory(agency=membership.lead_agency, role=Role.IG_LEAD),
        reason="The officer is a neighbour.",
        review_on=access_review_date(),
    )
    with pytest.raises(InvalidInput) as error:
        services.assign_key_worker(membership, by=manager, key_worker=officer)
    assert "access list" in error.value.field_errors["key_worker"]
    assert not membership.key_workers.exists()


def test_the_panel_changes_the_tier_with_a_reason(membership, manager, probation_officer):
    with pytest.raises(NotPermitted):
        services.change_tier(
            membership, by=probation_officer, tier="flex", reason="Reduced offending lately."
        )
    with pytest.raises(InvalidInput) as error:
        services.change_tier(membership, by=manager, tier="fixed", reason="Reduced offending lately.")
    assert "already Fixed" in error.value.field_errors["tier"]
    services.change_tier(membership, by=manager, tier="flex", reason="Reduced offending lately.")
    membership.refresh_from_db()
    assert membership.tier == "flex"


def test_the_review_date_is_set_in_the_future_within_a_year(membership, probation_officer):
    for bad in (None, TODAY(), TODAY() + dt.timedelta(days=400)):
        with pytest.raises(InvalidInput):
            services.set_review_date(membership, by=probation_officer, review_on=bad)
    services.set_review_date(membership, by=probation_officer, review_on=TODAY() + dt.timedelta(days=30))
    membership.refresh_from_db()
    assert membership.review_on == TODAY() + dt.timedelta(days=30)


def test_a_member_leaves_with_a_reason_and_date_and_retention_counts_from_it(membership, manager):
    with pytest.raises(InvalidInput) as error:
        services.leave_cohort(membership, by=manager, reason="bored", ended_on=TODAY() + dt.timedelta(days=2))
    assert set(error.value.field_errors) == {"reason", "ended_on"}
    membership.refresh_from_db()
    assert membership.ended_on is None
    services.leave_cohort(membership, by=manager, reason=ExitReason.MOVED_AREA, ended_on=TODAY())
    membership.refresh_from_db()
    assert (membership.ended_on, membership.exit_reason) == (TODAY(), "moved_area")
    refresh_person_dates()
    dates = PersonDates.objects.get(person=membership.person)
    assert dates.was_in_cohort and dates.left_cohort_on == TODAY()
    with pytest.raises(InvalidInput, match="left the cohort"):
        services.change_tier(membership, by=manager, tier="free", reason="Too late to change anything now.")


def test_leaving_before_joining_is_refused(manager, police):
    membership = CohortMembershipFactory(lead_agency=police, started_on=TODAY() - dt.timedelta(days=5))
    with pytest.raises(InvalidInput) as error:
        services.leave_cohort(
            membership, by=manager, reason="deceased", ended_on=TODAY() - dt.timedelta(days=6)
        )
    assert "on or after they joined" in error.value.field_errors["ended_on"]


def test_only_the_panel_takes_someone_off_the_cohort(membership, probation_officer):
    with pytest.raises(NotPermitted):
        services.leave_cohort(membership, by=probation_officer, reason="deceased")
    membership.refresh_from_db()
    assert membership.ended_on is None
