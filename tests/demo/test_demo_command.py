"""`iomshare demo`: loads once, refuses to load twice, resets on request, all or nothing."""

import io

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from iomshare.casework.models import AgendaPerson
from iomshare.demo import DEMO_PASSWORD
from iomshare.demo.items import ItemWriter
from iomshare.partnership.models import Agency, Role, StaffMember
from iomshare.people.models import CohortMembership, Person
from iomshare.protocols.models import Protocol
from iomshare.records.models import Category, InformationItem
from iomshare.service_referrals.models import InformalExchange
from tests.factories import AgencyFactory, StaffMemberFactory

SMALL = ["--people", "12", "--items", "150"]


def run_demo(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def database_state() -> tuple:
    return (
        sorted(Protocol.objects.values_list("reference", "status")),
        sorted(Agency.objects.values_list("code", "name")),
        sorted(StaffMember.objects.values_list("username", "first_name", "last_name")),
        sorted(Person.objects.values_list("id", "given_name", "family_name")),
        InformationItem.objects.count(),
    )


@pytest.mark.django_db
def test_demo_prints_every_login_with_its_role_and_agency_and_the_demo_only_password():
    output = run_demo(*SMALL)
    assert "12 people" in output and "150 information items" in output
    for member in StaffMember.objects.select_related("agency"):
        line = next(line for line in output.splitlines() if f" {member.username} " in line)
        assert member.get_role_display() in line
        assert member.agency.name in line
    assert DEMO_PASSWORD in output
    assert "DEMO ONLY" in output


@pytest.mark.django_db
def test_demo_refuses_to_load_over_existing_data_and_changes_nothing():
    run_demo("--seed", "1", *SMALL)
    before = database_state()
    with pytest.raises(CommandError, match=r"already holds 6 agencies.*iomshare demo --reset"):
        run_demo("--seed", "2", *SMALL)
    assert database_state() == before


@pytest.mark.django_db
def test_demo_refuses_to_load_into_a_database_holding_another_partnership():
    AgencyFactory(code="westshire-police", name="Westshire Police")
    with pytest.raises(CommandError, match="already holds 1 agencies"):
        run_demo(*SMALL)
    assert list(Agency.objects.values_list("code", flat=True)) == ["westshire-police"]
    assert not Person.objects.exists()


@pytest.mark.django_db
def test_reset_replaces_an_earlier_demo_with_the_new_seed():
    run_demo("--seed", "1", *SMALL)
    first = database_state()
    run_demo("--seed", "2", "--reset", "--people", "20", "--items", "90")
    second = database_state()
    assert first[0] and second[0] == first[0]  # the demo protocols, loaded afresh
    assert Agency.objects.count() == 6
    assert StaffMember.objects.count() == 20
    # The generator's 20 members and the one the selection panel accepted from the demo's referrals.
    assert CohortMembership.objects.count() == 20 + 1
    # The generator's 90 items, one per informal exchange the demo records and one per person minuted
    # at the demo's past meetings (docs/casework.md).
    minuted = AgendaPerson.objects.filter(minutes_item_id__isnull=False).count()
    assert minuted > 0
    assert InformationItem.objects.count() == 90 + InformalExchange.objects.count() + minuted
    assert not set(first[3]) & set(second[3])  # not one person of the first load is left


@pytest.mark.django_db
def test_reset_also_removes_accounts_added_to_demo_agencies_but_keeps_an_agencyless_admin():
    run_demo(*SMALL)
    StaffMemberFactory(username="added.later", agency=Agency.objects.get(code="police"))
    StaffMemberFactory(username="operator", agency=None, is_superuser=True, is_staff=True)
    run_demo("--reset", *SMALL)
    assert not StaffMember.objects.filter(username="added.later").exists()
    assert StaffMember.objects.filter(username="operator").exists()
    assert StaffMember.objects.filter(agency__isnull=False).count() == 20


@pytest.mark.django_db
def test_reset_keeps_the_reference_data_that_migrations_seeded():
    seeded = {model: model._base_manager.count() for model in apps.get_models()}
    seeded = {model: count for model, count in seeded.items() if count}
    assert Category in seeded
    run_demo(*SMALL)
    run_demo("--reset", "--seed", "3", *SMALL)
    assert {model: model._base_manager.count() for model in seeded} == seeded


@pytest.mark.django_db
def test_reset_refuses_to_wipe_a_partnership_that_is_not_the_demo():
    run_demo(*SMALL)
    AgencyFactory(code="westshire-police", name="Westshire Police")
    before = database_state()
    with pytest.raises(CommandError, match=r"not part of the demo \(Westshire Police\)"):
        run_demo("--reset", *SMALL)
    assert database_state() == before


@pytest.mark.django_db
def test_reset_if_absent_loads_an_empty_database_and_leaves_a_loaded_one_alone():
    output = run_demo("--reset-if-absent", *SMALL)
    assert "Loaded the demo partnership" in output
    before = database_state()
    output = run_demo("--reset-if-absent", "--seed", "99", *SMALL)
    assert "already holds a partnership" in output
    assert database_state() == before


@pytest.mark.django_db
def test_a_failure_part_way_through_leaves_nothing_half_loaded(monkeypatch):
    def items_then_failure(self, count):
        yield from ItemWriter.__dict__["_original_items"](self, 100)
        raise RuntimeError("disk full")

    monkeypatch.setattr(ItemWriter, "_original_items", ItemWriter.items, raising=False)
    monkeypatch.setattr(ItemWriter, "items", items_then_failure)
    with pytest.raises(RuntimeError, match="disk full"):
        run_demo("--people", "12", "--items", "3000")
    assert database_state() == ([], [], [], [], 0)


@pytest.mark.django_db
def test_a_failed_reset_leaves_the_earlier_demo_in_place(monkeypatch):
    run_demo(*SMALL)
    before = database_state()

    def failure(self, count):
        raise RuntimeError("disk full")
        yield  # pragma: no cover

    monkeypatch.setattr(ItemWriter, "items", failure)
    with pytest.raises(RuntimeError):
        run_demo("--reset", "--seed", "5", *SMALL)
    assert database_state() == before


@pytest.mark.django_db
@pytest.mark.parametrize(("option", "message"), [("--people=0", "--people"), ("--items=-1", "--items")])
def test_demo_refuses_a_scale_that_makes_no_sense(option, message):
    with pytest.raises(CommandError, match=message):
        run_demo(option)
    assert not Agency.objects.exists()


@pytest.mark.django_db
def test_the_demo_admin_is_a_django_superuser_and_no_one_else_is():
    run_demo(*SMALL)
    assert list(StaffMember.objects.filter(is_superuser=True).values_list("username", "role")) == [
        ("admin", Role.ADMIN)
    ]
