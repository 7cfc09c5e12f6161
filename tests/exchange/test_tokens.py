import datetime as dt
import hashlib
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from iomshare.errors import InvalidInput, NotPermitted
from iomshare.partnership.models import ApiToken, Role
from iomshare.partnership.tokens import authenticate_token, issue_token, revoke_token
from tests.factories import AgencyFactory, StaffMemberFactory


def test_a_token_is_iom_and_40_url_safe_characters_and_only_its_hash_is_stored(officer):
    token, secret = issue_token(for_staff=officer, name="case system", by=officer)
    assert secret.startswith("iom_") and len(secret) == 44
    assert set(secret[4:]) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert stored.prefix == secret[:12]
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    assert not any(secret in str(value) for value in row.values())


def test_two_tokens_never_share_a_secret(officer):
    secrets = {issue_token(for_staff=officer, name=f"t{n}", by=None)[1] for n in range(20)}
    assert len(secrets) == 20


def test_a_token_authenticates_as_its_staff_member(officer):
    _token, secret = issue_token(for_staff=officer, name="case system", by=None)
    assert authenticate_token(secret) == officer


@pytest.mark.parametrize("secret", ["", "iom_", "iom_" + "x" * 40, "not a token at all", "iom_" + "x" * 400])
def test_an_unknown_or_malformed_token_authenticates_nobody(officer, secret):
    issue_token(for_staff=officer, name="case system", by=None)
    assert authenticate_token(secret) is None


def test_a_revoked_token_authenticates_nobody(officer):
    token, secret = issue_token(for_staff=officer, name="case system", by=None)
    revoke_token(token, by=officer)
    assert authenticate_token(secret) is None


def test_an_expired_token_authenticates_nobody(officer):
    token, secret = issue_token(for_staff=officer, name="case system", expires_in_days=1, by=None)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert authenticate_token(secret) is None


def test_a_deactivated_accounts_token_authenticates_nobody(officer):
    _token, secret = issue_token(for_staff=officer, name="case system", by=None)
    officer.is_active = False
    officer.save()
    assert authenticate_token(secret) is None


def test_last_use_is_written_at_most_once_a_minute(officer, django_assert_num_queries):
    token, secret = issue_token(for_staff=officer, name="case system", by=None)
    authenticate_token(secret)
    first_use = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first_use is not None
    with django_assert_num_queries(1):  # the lookup only: no write within the minute
        authenticate_token(secret)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first_use
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first_use - dt.timedelta(minutes=2))
    authenticate_token(secret)
    assert ApiToken.objects.get(pk=token.pk).last_used_at > first_use - dt.timedelta(minutes=2)


@pytest.mark.parametrize("role", [Role.ADMIN, Role.IG_LEAD])
def test_an_agencys_admin_or_ig_lead_may_issue_for_its_system_account(police, role):
    system = StaffMemberFactory(agency=police, role=Role.SYSTEM)
    lead = StaffMemberFactory(agency=police, role=role)
    token, _secret = issue_token(for_staff=system, name="case system", by=lead)
    assert token.staff_member == system


def test_a_practitioner_may_not_issue_a_token_for_a_colleague(police, officer):
    colleague = StaffMemberFactory(agency=police)
    with pytest.raises(NotPermitted):
        issue_token(for_staff=colleague, name="x", by=officer)
    assert not ApiToken.objects.exists()


def test_another_agencys_admin_may_not_issue_or_revoke(officer, probation):
    outsider = StaffMemberFactory(agency=probation, role=Role.ADMIN)
    with pytest.raises(NotPermitted):
        issue_token(for_staff=officer, name="x", by=outsider)
    token, secret = issue_token(for_staff=officer, name="x", by=officer)
    with pytest.raises(NotPermitted):
        revoke_token(token, by=outsider)
    assert authenticate_token(secret) == officer


def test_a_superuser_may_issue_for_anyone(officer):
    root = StaffMemberFactory(agency=AgencyFactory(), is_superuser=True)
    assert issue_token(for_staff=officer, name="x", by=root)[0].staff_member == officer


@pytest.mark.parametrize(
    ("name", "days", "field"),
    [
        ("  ", None, "name"),
        ("x" * 101, None, "name"),
        ("ok", 0, "expires_in_days"),
        ("ok", 5000, "expires_in_days"),
    ],
)
def test_a_bad_request_for_a_token_names_the_field_and_issues_nothing(officer, name, days, field):
    with pytest.raises(InvalidInput) as error:
        issue_token(for_staff=officer, name=name, expires_in_days=days, by=None)
    assert field in error.value.field_errors
    assert not ApiToken.objects.exists()


def test_no_token_for_a_deactivated_account(officer):
    officer.is_active = False
    officer.save()
    with pytest.raises(InvalidInput) as error:
        issue_token(for_staff=officer, name="x", by=None)
    assert "deactivated" in error.value.field_errors["staff_member"]


def test_revoking_twice_is_a_clear_error(officer):
    token, _secret = issue_token(for_staff=officer, name="x", by=None)
    revoke_token(token, by=None)
    with pytest.raises(InvalidInput, match="already revoked"):
        revoke_token(token, by=None)


# The `iomshare token` command.


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_cli_issue_prints_the_secret_once_with_a_warning_and_stores_only_its_hash(officer):
    out, err = run("issue", "--username", "officer", "--name", "nightly extract", "--expires-in-days", "30")
    secret = out.strip()
    assert secret.startswith("iom_") and len(secret) == 44
    assert "shown only this once" in err and secret not in err
    token = ApiToken.objects.get()
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token.name == "nightly extract" and token.staff_member == officer
    assert dt.timedelta(days=29) < token.expires_at - timezone.now() <= dt.timedelta(days=30)
    assert authenticate_token(secret) == officer


def test_cli_list_shows_prefix_owner_and_state_but_never_the_secret(officer, probation_officer):
    first = run("issue", "--username", "officer", "--name", "police sync")[0].strip()
    second = run("issue", "--username", "po", "--name", "probation sync")[0].strip()
    everyone = run("list")[0]
    assert first[:12] in everyone and second[:12] in everyone
    assert first not in everyone and second not in everyone
    only_po = run("list", "--username", "po")[0]
    assert second[:12] in only_po and first[:12] not in only_po
    assert "active" in only_po


def test_cli_revoke_by_prefix_stops_the_token_working(officer):
    secret = run("issue", "--username", "officer", "--name", "police sync")[0].strip()
    out, _ = run("revoke", "--prefix", secret[:12])
    assert "Revoked" in out
    assert authenticate_token(secret) is None
    assert "revoked" in run("list")[0]


def test_cli_errors_are_clear_and_change_nothing(officer):
    with pytest.raises(CommandError, match="no account called 'nobody'"):
        run("issue", "--username", "nobody", "--name", "x")
    with pytest.raises(CommandError, match="expires_in_days"):
        run("issue", "--username", "officer", "--name", "x", "--expires-in-days", "0")
    with pytest.raises(CommandError, match="no token with the prefix"):
        run("revoke", "--prefix", "iom_nothing")
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("action", ["issue", "list", "revoke"])
def test_each_cli_action_has_help(action, capsys):
    from iomshare.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(["token", action, "--help"])
    assert exit_.value.code == 0
    assert f"usage: iomshare token {action}" in capsys.readouterr().out
