"""The demo partnership: deterministic from its seed, and shaped like a real partnership."""

import datetime as dt
import os
import subprocess
import sys
from collections import Counter

import pytest
from django.utils import timezone

from iomshare.demo import DEMO_PASSWORD, Scale
from iomshare.demo import load_demo as load_demo_with_everything
from iomshare.demo.items import CATEGORY_WEIGHTS
from iomshare.demo.source_records import AGENCY_IDENTIFIERS
from iomshare.identity.models import SourceRecord
from iomshare.partnership.models import Agency, AgencyKind, AssuranceLevel, Role, StaffMember, TrainingRecord
from iomshare.people.models import (
    NORMALISERS,
    AgencyIdentifier,
    CohortMembership,
    CohortReferral,
    IdentifierScheme,
    Person,
    ReferralStatus,
)
from iomshare.records.models import Sensitivity
from tests.demo.conftest import generated_items

SMALL = Scale(people=40, items=800)


def load_demo(**options):
    """The demo's own people and records; its protocols and local terms are their apps' to test."""
    return load_demo_with_everything(with_protocols_and_vocabulary=False, **options)


TODAY = dt.date(2026, 3, 2)


def snapshot() -> dict[str, list]:
    """Every field of the demo that should repeat with the seed (database ids of staff aside)."""
    return {
        "agencies": list(
            Agency.objects.order_by("code").values_list(
                "code", "name", "kind", "is_statutory", "assurance_level", "assurance_expires_on"
            )
        ),
        "staff": list(
            StaffMember.objects.order_by("username").values_list(
                "username", "first_name", "last_name", "agency__code", "role", "is_volunteer", "date_joined"
            )
        ),
        "training": list(
            TrainingRecord.objects.order_by("staff_member__username", "course").values_list(
                "staff_member__username", "course", "completed_on", "expires_on"
            )
        ),
        "people": list(
            Person.objects.order_by("id").values_list(
                "id", "given_name", "family_name", "date_of_birth", "created_at"
            )
        ),
        "identifiers": list(
            AgencyIdentifier.objects.order_by("agency__code", "scheme", "value").values_list(
                "person_id", "agency__code", "scheme", "value"
            )
        ),
        "memberships": sorted(
            (
                m.person_id,
                m.tier,
                m.lead_agency.code,
                m.started_on,
                m.ended_on,
                tuple(sorted(w.username for w in m.key_workers.all())),
            )
            for m in CohortMembership.objects.select_related("lead_agency").prefetch_related("key_workers")
        ),
        # Content is sealed (records.sealing): read through the model, not as columns.
        "items": [
            (
                item.id,
                item.person_id,
                item.holding_agency.code,
                item.author.username,
                item.category.code,
                item.sensitivity,
                item.summary,
                item.details,
                item.recorded_at,
                item.valid_from,
                item.valid_to,
                item.review_by,
            )
            for item in generated_items()
            .order_by("id")
            .select_related("holding_agency", "author", "category")
        ],
    }


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_partnership_field_for_field():
    load_demo(seed=7, scale=SMALL, today=TODAY)
    first = snapshot()
    load_demo(seed=7, scale=SMALL, today=TODAY, reset=True)
    second = snapshot()
    # The generator's members and the one the selection panel accepted from the demo's referrals.
    assert len(first["memberships"]) == SMALL.people + 1 and len(first["items"]) == SMALL.items
    for part in first:
        assert first[part] == second[part], part


@pytest.mark.django_db
def test_different_seeds_give_different_people_identifiers_and_items():
    load_demo(seed=7, scale=SMALL, today=TODAY)
    first = snapshot()
    load_demo(seed=8, scale=SMALL, today=TODAY, reset=True)
    second = snapshot()
    assert {p[1:] for p in first["people"]} != {p[1:] for p in second["people"]}
    assert {i[3] for i in first["identifiers"]} != {i[3] for i in second["identifiers"]}
    assert {i[6] + i[7] for i in first["items"]} != {i[6] + i[7] for i in second["items"]}
    # The usernames are the demo's fixed sign-ins, whatever the seed.
    assert [s[0] for s in first["staff"]] == [s[0] for s in second["staff"]]


@pytest.mark.django_db
def test_asking_for_more_items_leaves_the_cohort_unchanged():
    load_demo(seed=7, scale=Scale(people=25, items=100), today=TODAY)
    first = snapshot()
    load_demo(seed=7, scale=Scale(people=25, items=300), today=TODAY, reset=True)
    second = snapshot()
    assert first["people"] == second["people"]
    assert first["identifiers"] == second["identifiers"]
    assert len(second["items"]) == 300


@pytest.mark.django_db
def test_the_demo_has_six_agencies_of_each_kind_with_current_assurance():
    load_demo(scale=SMALL)
    agencies = list(Agency.objects.all())
    assert sorted(a.kind for a in agencies) == sorted(AgencyKind.values)
    today = timezone.localdate()
    for agency in agencies:
        assert agency.assurance_on(today) != AssuranceLevel.NONE, agency
        assert agency.is_statutory == (agency.kind != AgencyKind.VCS), agency
    assert Agency.objects.get(kind=AgencyKind.VCS).name == "Second Chance Mentoring"


@pytest.mark.django_db
def test_every_agency_has_an_information_governance_lead_and_a_practitioner():
    load_demo(scale=SMALL)
    for agency in Agency.objects.all():
        roles = set(agency.staff.values_list("role", flat=True))
        assert {Role.IG_LEAD, Role.PRACTITIONER} <= roles, agency
    assert StaffMember.objects.filter(role=Role.PARTNERSHIP_MANAGER).count() == 1


@pytest.mark.django_db
def test_volunteers_are_only_at_the_vcs_charity_and_always_have_the_volunteer_role():
    load_demo(scale=SMALL)
    volunteers = StaffMember.objects.filter(is_volunteer=True)
    assert 2 <= volunteers.count() <= 3
    assert set(volunteers.values_list("agency__kind", flat=True)) == {AgencyKind.VCS}
    assert set(volunteers.values_list("role", flat=True)) == {Role.VOLUNTEER}
    assert not StaffMember.objects.filter(role=Role.VOLUNTEER, is_volunteer=False).exists()


@pytest.mark.django_db
def test_one_volunteer_has_expired_training_and_everyone_else_is_current():
    load_demo(scale=SMALL)
    today = timezone.localdate()
    lapsed = {
        member.username
        for member in StaffMember.objects.prefetch_related("training")
        if any(not record.is_current(today) for record in member.training.all())
    }
    assert lapsed == {"charity.volunteer.expired"}
    assert StaffMember.objects.get(username="charity.volunteer.expired").is_volunteer
    assert not StaffMember.objects.filter(training__isnull=True).exists()


@pytest.mark.django_db
def test_every_identifier_passes_its_normaliser_and_sits_with_the_right_agency():
    load_demo(scale=SMALL)
    schemes_by_agency: dict[str, set[str]] = {}
    for identifier in AgencyIdentifier.objects.select_related("agency"):
        scheme = IdentifierScheme(identifier.scheme)
        assert NORMALISERS[scheme](identifier.value) == identifier.value, identifier
        schemes_by_agency.setdefault(identifier.agency.code, set()).add(scheme)
    # Each agency holds its own local key and the national identifiers it records, nothing else.
    for code, recorded in AGENCY_IDENTIFIERS.items():
        assert IdentifierScheme.LOCAL in schemes_by_agency[code], code
        assert schemes_by_agency[code] <= {IdentifierScheme.LOCAL, *recorded}, code
    assert IdentifierScheme.PNC in schemes_by_agency["police"]
    assert IdentifierScheme.NOMIS in schemes_by_agency["prison"]
    # The police know everyone on IOM: every cohort member has a police record.
    members = set(CohortMembership.objects.values_list("person_id", flat=True))
    assert all(
        SourceRecord.objects.filter(person_id=person_id, agency__code="police").exists()
        for person_id in members
    )
    # Synthetic NHS numbers come from the range the NHS never issues.
    nhs = AgencyIdentifier.objects.filter(scheme=IdentifierScheme.NHS).values_list("value", flat=True)
    assert nhs and all(value.startswith("999") for value in nhs)


@pytest.mark.django_db
def test_every_cohort_member_has_key_workers_from_different_agencies_including_the_lead():
    load_demo(scale=SMALL)
    memberships = CohortMembership.objects.prefetch_related("key_workers")
    # The generator's members and the one the selection panel accepted from the demo's referrals.
    assert memberships.count() == SMALL.people + 1
    for membership in memberships:
        agencies = [worker.agency_id for worker in membership.key_workers.all()]
        assert 1 <= len(agencies) <= 3
        assert len(set(agencies)) == len(agencies), membership
        assert membership.lead_agency_id in agencies, membership
    assert memberships.exclude(ended_on=None).exists()
    assert set(memberships.values_list("tier", flat=True)) == {"fixed", "flex", "free"}


@pytest.mark.django_db
def test_every_items_author_works_for_the_holding_agency_and_is_never_an_ig_lead():
    load_demo(scale=SMALL)
    rows = generated_items().values_list("holding_agency_id", "author__agency_id", "author__role")
    assert len(rows) == SMALL.items
    for holding_agency, author_agency, role in rows:
        assert holding_agency == author_agency
        assert role in {Role.PRACTITIONER, Role.VOLUNTEER}


@pytest.mark.django_db
def test_each_agency_records_only_its_own_kinds_of_information():
    load_demo(scale=SMALL)
    rows = generated_items().values_list("holding_agency__code", "category__code")
    for agency, category in rows:
        assert category in CATEGORY_WEIGHTS[agency], (agency, category)
    # Volunteers write contacts and education/work notes, nothing more.
    volunteer_categories = set(
        generated_items().filter(author__is_volunteer=True).values_list("category__code", flat=True)
    )
    assert volunteer_categories and volunteer_categories <= {"contact", "ete"}


@pytest.mark.django_db
def test_items_dates_are_ordered_and_about_one_in_twelve_is_past_review():
    today = timezone.localdate()
    load_demo(scale=Scale(people=40, items=2000), today=today)
    rows = list(generated_items().values_list("recorded_at", "valid_from", "valid_to", "review_by"))
    now = timezone.now()
    for recorded_at, valid_from, valid_to, _review_by in rows:
        assert now - dt.timedelta(days=3 * 366) <= recorded_at < now
        assert valid_from <= recorded_at.date()
        assert valid_to is None or valid_to >= valid_from
    stale = sum(1 for *_, review_by in rows if review_by < today)
    assert 0.05 < stale / len(rows) < 0.11
    assert all(review_by <= today + dt.timedelta(days=3 * 366) for *_, review_by in rows)


@pytest.mark.django_db
def test_intelligence_and_health_items_are_mostly_official_sensitive():
    load_demo(scale=Scale(people=40, items=2000))
    counts = Counter(generated_items().values_list("category__code", "sensitivity"))
    for category in ("intelligence", "health", "substance_misuse"):
        sensitive = counts[(category, Sensitivity.OFFICIAL_SENSITIVE)]
        assert sensitive > 3 * counts[(category, Sensitivity.OFFICIAL)], category
    assert counts[("contact", Sensitivity.OFFICIAL)] > 3 * counts[("contact", Sensitivity.OFFICIAL_SENSITIVE)]


@pytest.mark.django_db
def test_demo_accounts_sign_in_with_the_demo_password_and_admin_reaches_django_admin(client):
    load_demo(scale=Scale(people=5, items=20))
    assert client.login(username="police.practitioner", password=DEMO_PASSWORD)
    assert client.get("/admin/").status_code == 302  # a practitioner is no Django admin
    client.logout()
    assert client.login(username="admin", password=DEMO_PASSWORD)
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_the_default_scale_loads_the_full_partnership_with_its_tier_mix():
    summary = load_demo_with_everything()
    assert (summary.people, summary.items) == (300, 30_000)
    # The generator's 300 members, and any the selection panel accepted from the demo's referrals.
    accepted = CohortReferral.objects.filter(status=ReferralStatus.ACCEPTED).count()
    assert CohortMembership.objects.count() == 300 + accepted
    # A few records stay people of their own outside the cohort, waiting for a reviewer.
    assert 300 < Person.objects.count() < 330
    # The generator's items and one per informal exchange the demo records (docs/casework.md).
    assert generated_items().count() == 30_000
    tiers = Counter(CohortMembership.objects.values_list("tier", flat=True))
    for tier, share in {"fixed": 0.25, "flex": 0.45, "free": 0.30}.items():
        assert abs(tiers[tier] / 300 - share) < 0.07, tiers
    leads = Counter(CohortMembership.objects.values_list("lead_agency__code", flat=True))
    assert (leads["police"] + leads["probation"]) / 300 > 0.8
    items_by_agency = Counter(generated_items().values_list("holding_agency__code", flat=True))
    assert set(items_by_agency) == {"police", "probation", "prison", "council", "health", "charity"}


FINGERPRINT = """
import datetime as dt, hashlib, django
django.setup()
from iomshare.demo.cohort import KNOWN_BY, plan_cohort
from iomshare.demo.generator import _stream
from iomshare.demo.source_records import records_of_people
from iomshare.people.models import Person
from iomshare.demo.items import CATEGORY_WEIGHTS, ItemWriter
from iomshare.demo.partnership import build_agencies, build_staff
from iomshare.records.models import Category

today = dt.date(2026, 3, 2)
rng, fake = _stream(7, "partnership")
agencies = build_agencies(rng, today)
for pk, agency in enumerate(agencies, 1):
    agency.pk = agency.id = pk
staff = build_staff(rng, fake, {a.code: a for a in agencies}, "hash", today)
for pk, member in enumerate(staff, 1):
    member.pk = member.id = pk
codes = sorted({code for weights in CATEGORY_WEIGHTS.values() for code in weights})
categories = {code: Category(pk=pk, code=code) for pk, code in enumerate(codes, 1)}
# The agencies' records of 30 people; linkage needs a database, so each true person stands in for
# the person linkage would resolve.
records = records_of_people(30, seed=7, reach=KNOWN_BY)
people = {}
for record in records:
    person, known = people.setdefault(record.person_key, (Person(given_name=record.given_name), []))
    if record.agency not in known:
        known.append(record.agency)
people = [(person, [code for code in KNOWN_BY if code in known]) for person, known in people.values()]
rng, fake = _stream(7, "cohort")
cohort = plan_cohort(rng, people, {a.code: a for a in agencies}, staff, today)
rng, fake = _stream(7, "items")
items = list(ItemWriter(rng, fake, cohort, staff, categories, today).items(300))
text = repr(
    [(s.first_name, s.last_name) for s in staff]
    + [(r.agency, r.record_key, r.given_name, r.family_name, r.date_of_birth, r.identifiers) for r in records]
    + [(m.person.given_name, m.membership.tier, m.membership.started_on, m.agencies) for m in cohort]
    + [(i.id, i.author_id, i.category_id, i.summary, i.details, i.recorded_at) for i in items]
)
print(hashlib.sha256(text.encode()).hexdigest())
"""


def test_the_same_seed_gives_the_same_partnership_in_another_process_whatever_the_hash_seed():
    """No draw may depend on set or dict hash order, which changes from one process to the next."""
    outputs = set()
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed, "DJANGO_SETTINGS_MODULE": "iomshare.settings"}
        result = subprocess.run(
            [sys.executable, "-c", FINGERPRINT], env=env, capture_output=True, text=True, check=True
        )
        outputs.add(result.stdout.strip())
    assert len(outputs) == 1 and len(outputs.pop()) == 64
