"""The cohort pages: refer with check answers, the panel's decision, key workers, leaving, landing pages."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from iomshare.partnership.models import Role
from iomshare.people import services
from iomshare.people.access_lists import add_to_access_list
from iomshare.people.models import CohortMembership, CohortReferral, ReferralStatus
from tests.factories import StaffMemberFactory, access_review_date

REASON = "Three burglaries in six months and released last week with no address."


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def manager(police):
    return StaffMemberFactory(username="manager", agency=police, role=Role.PARTNERSHIP_MANAGER)


@pytest.fixture
def referral(officer, person):
    return services.refer_for_cohort(by=officer, person=person, source="release", reason=REASON)


def test_a_referral_is_checked_before_it_is_sent(client, officer, person):
    client.force_login(officer)
    url = reverse("people:refer", args=[person.pk])
    bad = client.post(url, {"source": "", "reason": "short"})
    assert bad.status_code == 422
    page = bad.content.decode()
    assert "govuk-error-summary" in page and "Choose how the person came to your attention" in page
    check = client.post(url, {"source": "release", "reason": REASON})
    assert "Check the referral before you send it" in check.content.decode()
    assert not CohortReferral.objects.exists()
    sent = client.post(url, {"source": "release", "reason": REASON, "confirm": "yes"})
    referral = CohortReferral.objects.get()
    assert sent.url == reverse("people:referral", args=[referral.pk])
    assert "Awaiting the selection panel" in client.get(sent.url).content.decode()


def test_the_panel_accepts_through_check_answers(client, manager, referral, probation):
    client.force_login(manager)
    url = reverse("people:referral", args=[referral.pk])
    review = timezone.localdate() + dt.timedelta(days=60)
    form = {"decision": "accept", "tier": "flex", "lead_agency": "probation"} | {
        f"review_on-{part}": str(getattr(review, part)) for part in ("day", "month", "year")
    }
    check = client.post(url, form)
    assert "Check the panel's decision" in check.content.decode()
    assert not CohortMembership.objects.exists()
    done = client.post(url, form | {"confirm": "yes"})
    membership = CohortMembership.objects.get()
    assert done.url == reverse("people:membership", args=[membership.pk])
    assert (membership.tier, membership.lead_agency, membership.review_on) == ("flex", probation, review)


def test_the_panel_decision_form_names_what_is_missing(client, manager, referral):
    client.force_login(manager)
    response = client.post(reverse("people:referral", args=[referral.pk]), {"decision": "accept"})
    assert response.status_code == 422
    page = response.content.decode()
    assert (
        "Choose the tier: Fixed, Flex or Free" in page and "Choose the agency that will lead the case" in page
    )


def test_only_the_panel_may_post_a_decision(client, officer, referral):
    client.force_login(officer)
    response = client.post(
        reverse("people:referral", args=[referral.pk]), {"decision": "decline", "reason": "x" * 20}
    )
    assert response.status_code == 403
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.AWAITING_PANEL


def test_cohort_pages_answer_404_for_a_person_hidden_by_an_access_list(
    client, officer, referral, manager, police, probation
):
    membership = services.accept_referral(referral, by=manager, tier="fixed", lead_agency="police")
    ig = StaffMemberFactory(agency=police, role=Role.IG_LEAD)
    add_to_access_list(
        referral.person,
        "exclusion",
        officer,
        by=ig,
        reason="The officer is a neighbour.",
        review_on=access_review_date(),
    )
    client.force_login(officer)
    for url in (
        reverse("people:refer", args=[referral.person.pk]),
        reverse("people:referral", args=[referral.pk]),
        reverse("people:membership", args=[membership.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert referral.person.family_name not in client.get(reverse("people:referrals")).content.decode()
    assert referral.person.family_name not in client.get(reverse("people:caseload")).content.decode()


def test_key_workers_are_assigned_on_the_membership_page(client, manager, referral, officer, probation):
    membership = services.accept_referral(referral, by=manager, tier="fixed", lead_agency="probation")
    client.force_login(manager)
    url = reverse("people:membership", args=[membership.pk])
    assign_url = reverse("people:membership-assign", args=[membership.pk])
    missing = client.post(assign_url, {"key_worker": ""})
    assert missing.status_code == 422 and "Choose the key worker to assign" in missing.content.decode()
    client.post(assign_url, {"key_worker": officer.username})
    assert list(membership.key_workers.all()) == [officer]
    assert "Priya Shah" in client.get(url).content.decode()


def test_leaving_the_cohort_is_checked_then_confirmed(client, manager, referral, police):
    membership = services.accept_referral(referral, by=manager, tier="fixed", lead_agency="police")
    client.force_login(manager)
    url = reverse("people:leave", args=[membership.pk])
    check = client.post(url, {"reason": "deceased"})
    assert "Check before Jordan leaves the cohort" in check.content.decode()
    membership.refresh_from_db()
    assert membership.ended_on is None
    today = timezone.localdate()
    client.post(
        url,
        {
            "reason": "deceased",
            "confirm": "yes",
            "ended_on-day": today.day,
            "ended_on-month": today.month,
            "ended_on-year": today.year,
        },
    )
    membership.refresh_from_db()
    assert (membership.ended_on, membership.exit_reason) == (today, "deceased")


def test_my_caseload_lists_only_the_people_allocated_to_me(
    client, manager, referral, officer, probation_officer, police
):
    membership = services.accept_referral(referral, by=manager, tier="fixed", lead_agency="police")
    services.assign_key_worker(membership, by=manager, key_worker=officer)
    client.force_login(officer)
    assert "Jordan" in client.get(reverse("people:caseload")).content.decode()
    client.force_login(probation_officer)
    assert "Jordan" not in client.get(reverse("people:caseload")).content.decode()


def test_my_caseload_row_names_the_person_tier_lead_agency_review_and_every_key_worker(
    client, manager, referral, officer, probation_officer, police, person
):
    membership = services.accept_referral(referral, by=manager, tier="fixed", lead_agency="police")
    services.assign_key_worker(membership, by=manager, key_worker=officer)
    services.assign_key_worker(membership, by=manager, key_worker=probation_officer)
    membership.refresh_from_db()
    client.force_login(officer)
    page = client.get(reverse("people:caseload")).content.decode()
    person_url = reverse("people:person", args=[person.pk])
    assert (
        f'<a class="govuk-link" href="{person_url}">{person.family_name.upper()}, {person.given_name}</a>'
        in page
    )
    assert f'<strong class="govuk-tag govuk-tag--red">Fixed</strong> Led by {police.name}.' in page
    assert f"Review by {membership.review_on:%-d %b %Y}." in page
    workers = sorted(
        [f"{officer} ({officer.agency.name})", f"{probation_officer} ({probation_officer.agency.name})"]
    )
    listed = page.split("Key workers: ", 1)[1].split("</p>", 1)[0]
    assert sorted(listed.split(", ")) == workers


def test_each_change_to_a_membership_posts_to_its_own_page(client, manager, referral, officer):
    membership = services.accept_referral(referral, by=manager, tier="fixed", lead_agency="police")
    client.force_login(manager)
    page_url = reverse("people:membership", args=[membership.pk])
    assign_url = reverse("people:membership-assign", args=[membership.pk])
    assert client.post(assign_url, {"key_worker": officer.username})["Location"] == page_url
    assert list(membership.key_workers.all()) == [officer]
    page = client.get(page_url).content.decode()
    for name in ("membership-assign", "membership-remove", "membership-tier", "membership-review"):
        assert f'action="{reverse(f"people:{name}", args=[membership.pk])}"' in page, name
    assert 'name="change"' not in page
    tier_url = reverse("people:membership-tier", args=[membership.pk])
    assert client.get(tier_url).status_code == 405
    unexplained = client.post(tier_url, {"tier": "flex", "tier_reason": ""})
    assert unexplained.status_code == 422 and 'id="tier_reason-error"' in unexplained.content.decode()
    assert "<title>Error:" in unexplained.content.decode()
    moved = client.post(
        tier_url, {"tier": "flex", "tier_reason": "Fewer offences since the new job started."}
    )
    assert moved.status_code == 302 and moved["Location"] == page_url
    membership.refresh_from_db()
    assert membership.tier == "flex"
    review_url = reverse("people:membership-review", args=[membership.pk])
    typo = client.post(review_url, {"review_on-day": "31", "review_on-month": "2", "review_on-year": "2027"})
    assert typo.status_code == 422 and "must be a real date" in typo.content.decode()
    assert 'value="31"' in typo.content.decode()  # what was typed is shown again
    day = timezone.localdate() + dt.timedelta(days=30)
    client.post(
        review_url, {"review_on-day": day.day, "review_on-month": day.month, "review_on-year": day.year}
    )
    membership.refresh_from_db()
    assert membership.review_on == day


def test_the_membership_page_itself_takes_no_post(client, manager, referral):
    membership = services.accept_referral(referral, by=manager, tier="fixed", lead_agency="police")
    client.force_login(manager)
    response = client.post(reverse("people:membership", args=[membership.pk]), {"change": "tier"})
    assert response.status_code == 405  # each change has its own page
    membership.refresh_from_db()
    assert membership.tier == "fixed"
