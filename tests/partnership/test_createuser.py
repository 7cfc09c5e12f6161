"""`iomshare createuser` and the create_staff_member service behind it."""

import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from iomshare.errors import InvalidInput, NotPermitted
from iomshare.partnership.models import Role, StaffMember
from iomshare.partnership.services import create_staff_member
from tests.factories import AgencyFactory, StaffMemberFactory

GOOD_PASSWORD = "violet-harbour-lantern-42"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Hashing is slow by design; the validators, not the hasher, are what these tests check."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def charity(db):
    return AgencyFactory(code="charity", name="Second Chance Mentoring", kind="vcs", is_statutory=False)


def createuser(*args: str, password: str = GOOD_PASSWORD) -> str:
    out = io.StringIO()
    call_command("createuser", *args, "--password-stdin", stdin=io.StringIO(password + "\n"), stdout=out)
    return out.getvalue()


def test_createuser_creates_a_practitioner_of_the_agency_who_can_sign_in(police):
    output = createuser(
        "--username",
        "priya.shah",
        "--agency",
        "police",
        "--role",
        "practitioner",
        "--first-name",
        "Priya",
        "--last-name",
        "Shah",
        "--email",
        "priya.shah@police.example",
    )
    assert "Created priya.shah: Practitioner at Northshire Police." in output
    member = StaffMember.objects.get(username="priya.shah")
    assert (member.agency, member.role, member.is_volunteer) == (police, Role.PRACTITIONER, False)
    assert (member.first_name, member.last_name, member.email) == (
        "Priya",
        "Shah",
        "priya.shah@police.example",
    )
    assert not member.is_staff and not member.is_superuser
    assert authenticate(username="priya.shah", password=GOOD_PASSWORD) == member


def test_createuser_volunteer_flag_gives_the_volunteer_role(charity):
    createuser("--username", "sam.mentor", "--agency", "charity", "--volunteer")
    member = StaffMember.objects.get(username="sam.mentor")
    assert (member.role, member.is_volunteer) == (Role.VOLUNTEER, True)


def test_the_volunteer_role_always_marks_the_account_as_a_volunteer(charity):
    createuser("--username", "sam.mentor", "--agency", "charity", "--role", "volunteer")
    assert StaffMember.objects.get(username="sam.mentor").is_volunteer


def test_a_volunteer_cannot_be_given_another_role(charity):
    with pytest.raises(CommandError, match="A volunteer has the role volunteer, not ig_lead"):
        createuser("--username", "sam.mentor", "--agency", "charity", "--role", "ig_lead", "--volunteer")
    assert not StaffMember.objects.filter(username="sam.mentor").exists()


def test_an_administrator_can_use_django_admin(police):
    createuser("--username", "it.admin", "--agency", "police", "--role", "admin")
    member = StaffMember.objects.get(username="it.admin")
    assert member.is_staff and member.is_superuser


def test_an_unknown_agency_code_is_refused_listing_the_valid_codes(police, charity):
    with pytest.raises(CommandError) as error:
        createuser("--username", "jo", "--agency", "polise", "--role", "practitioner")
    assert "no agency with the code 'polise'" in str(error.value)
    assert "Agency codes: charity, police" in str(error.value)
    assert not StaffMember.objects.filter(username="jo").exists()


def test_an_unknown_role_is_refused_listing_the_valid_roles(police):
    with pytest.raises(CommandError) as error:
        createuser("--username", "jo", "--agency", "police", "--role", "officer")
    assert "There is no role 'officer'" in str(error.value)
    assert ", ".join(Role.values) in str(error.value)
    assert not StaffMember.objects.exists()


@pytest.mark.parametrize(
    ("password", "reason"),
    [("short-1", "too short"), ("password1234", "too common"), ("jo.bloggs.police", "too similar")],
)
def test_a_password_that_fails_the_validators_is_refused_and_no_account_is_made(police, password, reason):
    with pytest.raises(CommandError, match=reason):
        createuser(
            "--username",
            "jo.bloggs",
            "--agency",
            "police",
            "--email",
            "jo.bloggs@police.example",
            password=password,
        )
    assert not StaffMember.objects.filter(username="jo.bloggs").exists()


def test_an_existing_username_is_refused_whatever_its_case(officer):
    with pytest.raises(CommandError, match="already an account called OFFICER"):
        createuser("--username", "OFFICER", "--agency", "police")
    assert StaffMember.objects.count() == 1


def test_a_malformed_username_or_email_is_refused(police):
    with pytest.raises(CommandError) as error:
        createuser("--username", "jo bloggs!", "--agency", "police", "--email", "not-an-email")
    assert "username: A username may contain only" in str(error.value)
    assert "email: Enter an email address" in str(error.value)
    assert not StaffMember.objects.exists()


def test_createuser_asks_for_the_password_twice(police, monkeypatch):
    answers = iter([GOOD_PASSWORD, GOOD_PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    call_command("createuser", "--username", "jo", "--agency", "police", stdout=io.StringIO())
    assert authenticate(username="jo", password=GOOD_PASSWORD) is not None


def test_createuser_refuses_when_the_two_passwords_differ(police, monkeypatch):
    answers = iter([GOOD_PASSWORD, GOOD_PASSWORD + "x"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    with pytest.raises(CommandError, match="two passwords are different"):
        call_command("createuser", "--username", "jo", "--agency", "police", stdout=io.StringIO())
    assert not StaffMember.objects.exists()


def test_only_an_administrator_may_create_staff_in_the_web_app(police, officer):
    with pytest.raises(NotPermitted):
        create_staff_member(
            username="jo", agency_code="police", role=Role.PRACTITIONER, password=GOOD_PASSWORD, by=officer
        )
    admin = StaffMemberFactory(username="it.admin", agency=police, role=Role.ADMIN)
    member = create_staff_member(
        username="jo", agency_code="police", role=Role.PRACTITIONER, password=GOOD_PASSWORD, by=admin
    )
    assert member.agency == police


def test_the_service_reports_every_problem_at_once_by_field(db):
    with pytest.raises(InvalidInput) as error:
        create_staff_member(username="", agency_code="nowhere", role="boss", password="")
    assert set(error.value.field_errors) == {"username", "agency", "role", "password"}
    assert "none yet" in error.value.field_errors["agency"]
