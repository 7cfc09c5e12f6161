"""Ledger test helpers: a throwaway signing key, and a way to tamper behind the trigger's back."""

import pytest
from django.db import connection

from iomshare.ledger import services
from iomshare.ledger.models import Action


@pytest.fixture(autouse=True)
def ledger_keys(settings, tmp_path):
    settings.LEDGER_SIGNING_KEY_FILE = str(tmp_path / "keys" / "ledger_signing_key.pem")
    settings.LEDGER_TRUSTED_KEYS_DIR = str(tmp_path / "keys" / "trusted")
    return tmp_path / "keys"


def tamper(statement: str, params=()) -> None:
    """Run SQL as an attacker with database access would (on PostgreSQL, with triggers off)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(statement, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = origin")


@pytest.fixture
def in_lane(monkeypatch):
    """Append the following entries to the given lane (a writer normally keeps to its own)."""

    def choose(lane: int) -> None:
        monkeypatch.setattr(services, "_acquire_lane", lambda cursor, in_transaction: lane)

    return choose


@pytest.fixture
def fill(db, in_lane):
    """Append `count` entries to each of `lanes`; return them in the order written."""

    def fill(count: int = 5, lanes=(0,)):
        entries = []
        for lane in lanes:
            in_lane(lane)
            for n in range(count):
                entries.append(
                    services.append(
                        services.Event(action=Action.SEARCH, username=f"user{n}", details={"q": f"term {n}"})
                    )
                )
        return entries

    return fill
