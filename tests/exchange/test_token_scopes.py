"""API tokens are scoped (read, write, import, link) and a token's scope is checked at every operation;
tokens expire, record their last use and can be rotated."""

import datetime as dt

import pytest
import time_machine

from iomshare.exchange.api import api
from iomshare.ledger.models import Action, LedgerEntry
from iomshare.partnership.models import ApiToken
from iomshare.partnership.tokens import Scope, issue_token, rotate_token, scope_needed_for
from tests.exchange.conftest import ApiClient


def every_operation() -> list[tuple[str, str, str]]:
    """(url name, method, path) of every API operation, read from the API itself."""
    operations = []
    for _prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                for method in operation.methods:
                    operations.append((operation.url_name or "", method, path))
    return operations


def test_every_operation_needs_exactly_one_scope_and_reads_need_only_read():
    needed = {(name, method): scope_needed_for(name, method) for name, method, _ in every_operation()}
    assert len(needed) > 30
    assert needed[("imports", "POST")] == Scope.IMPORT
    assert needed[("import-profiles", "GET")] == Scope.IMPORT
    assert needed[("identity-receive", "POST")] == Scope.LINK
    assert needed[("record-item", "POST")] == Scope.WRITE
    assert needed[("persons", "GET")] == Scope.READ
    for (name, method), scope in needed.items():
        if method != "GET":
            assert scope != Scope.READ, f"{method} {name} changes state but would need only 'read'"


def test_a_read_only_token_reads_but_cannot_record(client, officer, person, accommodation):
    _token, secret = issue_token(for_staff=officer, name="dashboard", scopes=["read"], by=None)
    api_client = ApiClient(client, secret)
    assert api_client.get("/me").status_code == 200
    refused = api_client.post(f"/persons/{person.id}/items", {"category": "accommodation", "summary": "x"})
    assert refused.status_code == 403
    assert refused["Content-Type"] == "application/problem+json"
    assert "needs the 'write' scope" in refused.json()["detail"]
    assert person.items.count() == 0


def test_a_write_token_cannot_import_or_link_and_a_link_token_cannot_read_people(client, officer):
    _t, writer = issue_token(for_staff=officer, name="case system", scopes=["read", "write"], by=None)
    assert ApiClient(client, writer).get("/imports/profiles").status_code == 403
    assert ApiClient(client, writer).post("/identity/source-records", {}).status_code == 403
    _t, linker = issue_token(for_staff=officer, name="linkage feed", scopes=["link"], by=None)
    assert ApiClient(client, linker).get("/persons?q=Whitlock").status_code == 403
    assert ApiClient(client, linker).post("/identity/source-records", {}).status_code != 403


def test_tokens_are_read_only_unless_issued_with_more(officer, settings):
    settings.IOMSHARE_TOKEN_DEFAULT_SCOPES = ("read",)
    token, _secret = issue_token(for_staff=officer, name="default", by=None)
    assert token.scope_set == {"read"}


def test_an_unknown_scope_is_refused_with_the_choices(officer):
    from iomshare.errors import InvalidInput

    with pytest.raises(InvalidInput) as error:
        issue_token(for_staff=officer, name="bad", scopes=["read", "delete"], by=None)
    assert error.value.field_errors["scopes"] == "Unknown scope delete: choose from read, write, import, link"
    assert not ApiToken.objects.exists()


def test_rotation_gives_a_new_secret_with_the_same_scopes_and_stops_the_old_one(client, officer):
    old, old_secret = issue_token(
        for_staff=officer, name="case system", scopes=["read", "import"], expires_in_days=90, by=None
    )
    new, new_secret = rotate_token(old, by=officer)
    assert new.scope_set == {"read", "import"} and new.name == "case system"
    assert (new.expires_at - new.created_at).days == 90
    assert ApiClient(client, old_secret).get("/me").status_code == 401
    assert ApiClient(client, new_secret).get("/me").status_code == 200
    assert LedgerEntry.objects.filter(action=Action.TOKEN_REVOKED).count() == 1
    assert LedgerEntry.objects.filter(action=Action.TOKEN_ISSUED).count() == 2


def test_last_use_is_recorded_and_expiry_is_enforced_by_the_clock(client, officer):
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        token, secret = issue_token(
            for_staff=officer, name="short", scopes=["read"], expires_in_days=1, by=None
        )
        assert ApiClient(client, secret).get("/me").status_code == 200
        token.refresh_from_db()
        assert token.last_used_at == start
        clock.shift(dt.timedelta(days=1, seconds=1))
        assert ApiClient(client, secret).get("/me").status_code == 401


def test_a_read_only_token_is_refused_by_every_operation_that_writes_imports_or_links(client, officer):
    import re
    import uuid

    _token, secret = issue_token(for_staff=officer, name="reader", scopes=["read"], by=None)
    headers = {"Authorization": f"Bearer {secret}"}
    checked = 0
    for name, method, path in every_operation():
        if scope_needed_for(name, method) == Scope.READ:
            continue
        url = "/api/v1" + re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path)
        response = client.generic(method, url, "{}", content_type="application/json", headers=headers)
        assert response.status_code == 403, f"{method} {path} ({name}) answered {response.status_code}"
        checked += 1
    assert checked > 10
