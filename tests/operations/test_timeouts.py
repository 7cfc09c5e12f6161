"""A locked table answers 503 promptly instead of stalling the service (issue 19, point 5).

Web and API connections carry a short lock and statement timeout; commands and jobs a longer one.
A timeout is a 503: problem details with Retry-After on the API, the GOV.UK "Sorry" page on the web.
"""

import os
import sqlite3
import subprocess
import sys
import threading

import psycopg
import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.utils import OperationalError
from django.test import Client

from iomshare.ledger.models import LedgerEntry
from iomshare.operations.timeouts import database_options, is_database_timeout
from iomshare.partnership.tokens import issue_token
from tests.factories import StaffMemberFactory

LEDGER_TABLE = LedgerEntry._meta.db_table
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="lock_timeout and statement_timeout are PostgreSQL settings"
)
on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's busy timeout")


def _show(name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SHOW {name}")
        return cursor.fetchone()[0]


@on_postgresql
@pytest.mark.django_db
def test_web_and_api_connections_carry_the_short_lock_and_statement_timeouts():
    assert settings.IOMSHARE_TIMEOUTS == "web"
    assert (_show("lock_timeout"), _show("statement_timeout")) == ("5s", "15s")


def test_commands_run_with_the_longer_timeouts(tmp_path):
    program = (
        "from django.conf import settings; from django.db import connection; "
        "print(settings.IOMSHARE_TIMEOUTS); "
        "c = connection.cursor(); "
        "connection.vendor == 'postgresql' and [c.execute('SHOW lock_timeout'), print(c.fetchone()[0]), "
        "c.execute('SHOW statement_timeout'), print(c.fetchone()[0])]"
    )
    environment = {k: v for k, v in os.environ.items() if k != "IOMSHARE_TIMEOUTS"}
    environment["DATABASE_URL"] = f"sqlite:///{tmp_path / 'command.sqlite3'}"
    if connection.vendor == "postgresql":
        # the test database, which exists while this test runs
        environment["DATABASE_URL"] = (
            f"postgres://{connection.settings_dict['USER']}@{connection.settings_dict['HOST']}:"
            f"{connection.settings_dict['PORT']}/{connection.settings_dict['NAME']}"
        )
    result = subprocess.run(
        [sys.executable, "-m", "iomshare", "shell", "-c", program],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
        check=True,
    )
    lines = [line for line in result.stdout.splitlines() if line and "objects imported" not in line]
    expected = ["command", "1min", "30min"] if connection.vendor == "postgresql" else ["command"]
    assert lines == expected


def test_a_bad_timeout_setting_is_refused_with_what_to_write():
    with pytest.raises(ImproperlyConfigured, match=r"lock_timeout is '5 seconds'.*for example 5s"):
        database_options(
            "django.db.backends.postgresql", {"lock_timeout": "5 seconds", "statement_timeout": "1s"}, {}
        )


class LedgerLocker:
    """Another connection holding an ACCESS EXCLUSIVE lock on the ledger table (at most 30 s)."""

    def __init__(self) -> None:
        self.locked = threading.Event()
        self.release = threading.Event()
        self.thread = threading.Thread(target=self._hold, daemon=True)

    def _hold(self) -> None:
        s = connection.settings_dict
        with psycopg.connect(
            host=s["HOST"], port=s["PORT"], user=s["USER"], dbname=s["NAME"], password=s["PASSWORD"] or None
        ) as other:
            other.execute(f"LOCK TABLE {LEDGER_TABLE} IN ACCESS EXCLUSIVE MODE")
            self.locked.set()
            self.release.wait(timeout=30)
            other.rollback()

    def __enter__(self):
        self.thread.start()
        assert self.locked.wait(timeout=10)
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.thread.join(timeout=10)


@pytest.fixture
def short_lock_timeout():
    """1 s instead of the configured 5 s, so the test is quick; RESET returns to the configured value."""
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '1s'")
    yield
    with connection.cursor() as cursor:
        cursor.execute("RESET lock_timeout")


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_locked_ledger_makes_an_api_search_answer_503_with_retry_after_not_wait(police, short_lock_timeout):
    _token, secret = issue_token(for_staff=StaffMemberFactory(agency=police), name="case system", by=None)
    with LedgerLocker():
        response = Client().get(
            "/api/v1/persons", {"q": "smith"}, headers={"Authorization": f"Bearer {secret}"}
        )
    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    assert response["Retry-After"] == str(settings.IOMSHARE_RETRY_AFTER_SECONDS)
    body = response.json()
    assert body["status"] == 503 and body["request_id"] == response["X-Request-ID"]


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_locked_ledger_makes_a_web_search_show_the_sorry_page_with_503(client, police, short_lock_timeout):
    client.force_login(StaffMemberFactory(agency=police))
    with LedgerLocker():
        response = client.get("/cohort/", {"q": "smith"})
    assert response.status_code == 503
    assert response["Retry-After"] == str(settings.IOMSHARE_RETRY_AFTER_SECONDS)
    page = response.content.decode()
    assert "Sorry, there is a problem with the service" in page
    assert response["X-Request-ID"] in page


@on_sqlite
@pytest.mark.django_db(transaction=True)
def test_a_busy_sqlite_database_answers_503_with_retry_after(police):
    _token, secret = issue_token(for_staff=StaffMemberFactory(agency=police), name="case system", by=None)
    s = connection.settings_dict
    other = sqlite3.connect(s["NAME"], uri=str(s["NAME"]).startswith("file:"), timeout=0)
    other.execute("BEGIN IMMEDIATE")  # holds the one write lock
    connection.ensure_connection()
    connection.connection.execute("PRAGMA busy_timeout = 200")  # the configured 20 s, shortened
    try:
        response = Client().get(
            "/api/v1/persons", {"q": "smith"}, headers={"Authorization": f"Bearer {secret}"}
        )
    finally:
        other.rollback()
        other.close()
    assert response.status_code == 503
    assert response["Retry-After"] == str(settings.IOMSHARE_RETRY_AFTER_SECONDS)


def test_only_lock_and_statement_timeouts_and_a_busy_database_count_as_timeouts():
    def wrapped(cause):
        error = OperationalError(str(cause))
        error.__cause__ = cause
        return error

    assert is_database_timeout(
        wrapped(psycopg.errors.LockNotAvailable("canceling statement due to lock timeout"))
    )
    assert is_database_timeout(
        wrapped(psycopg.errors.QueryCanceled("canceling statement due to statement timeout"))
    )
    assert is_database_timeout(wrapped(sqlite3.OperationalError("database is locked")))
    assert not is_database_timeout(wrapped(psycopg.errors.UndefinedTable("relation does not exist")))
    assert not is_database_timeout(wrapped(sqlite3.OperationalError("no such table: x")))


@on_postgresql
@pytest.mark.django_db
def test_long_work_inside_a_web_process_can_take_the_longer_command_timeouts():
    from iomshare.operations.timeouts import use_command_timeouts

    use_command_timeouts()
    assert (_show("lock_timeout"), _show("statement_timeout")) == ("1min", "30min")
