"""The restore drill: back up a partnership, restore it into a new database with new key locations,
and the ledger verifies and sealed items open (issue 19, point 7)."""

import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from iomshare.ledger import services as ledger
from iomshare.ledger.models import Action, Checkpoint, LedgerEntry
from iomshare.records import selectors as records
from tests.factories import InformationItemFactory, PersonFactory, StaffMemberFactory

# SQLite's online backup cannot read the in-memory test database while a test transaction holds it;
# pg_dump reads beside an open transaction, so on PostgreSQL these tests skip the costly flush.
committed_on_sqlite = pytest.mark.django_db(transaction=connection.vendor == "sqlite")

SUMMARIES = ["Seen at the day centre", "Moved to a new address", "Missed an appointment"]

OPEN_AND_VERIFY = """
import json
from django.core.management import call_command
from iomshare.partnership.models import StaffMember
from iomshare.people.models import Person
from iomshare.records import selectors
call_command("ledger", "verify")
officer = StaffMember.objects.get(username="drill.officer")
person = Person.objects.get(family_name="Drill")
page = selectors.items_page_for(officer, person, purpose=None, limit=10)
print(json.dumps(sorted(item.summary for item in page.items)))
"""


@pytest.fixture
def source_keys(settings, tmp_path):
    """Key files of the partnership being backed up, in a folder of their own."""
    folder = tmp_path / "source"
    settings.IOMSHARE_MASTER_KEY_FILE = folder / "master_keys"
    settings.LEDGER_SIGNING_KEY_FILE = folder / "ledger_signing_key.pem"
    settings.LEDGER_TRUSTED_KEYS_DIR = folder / "ledger_trusted_keys"
    return folder


@pytest.fixture
def fresh_database_url(tmp_path):
    """A new, empty database of the same kind as the test database (dropped afterwards on PostgreSQL)."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    s = connection.settings_dict
    name = f"{s['NAME']}_restored"[:63]
    admin = dict(
        host=s["HOST"], port=s["PORT"], user=s["USER"], password=s["PASSWORD"] or None, dbname="postgres"
    )
    with psycopg.connect(**admin, autocommit=True) as other:
        other.execute(f'DROP DATABASE IF EXISTS "{name}"')
        other.execute(f'CREATE DATABASE "{name}"')
    yield f"postgres://{s['USER']}@{s['HOST']}:{s['PORT']}/{name}"
    with psycopg.connect(**admin, autocommit=True) as other:
        other.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def iomshare(*arguments, environment):
    return subprocess.run(
        [sys.executable, "-m", "iomshare", *arguments],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_a_new_database_where_the_ledger_verifies_and_sealed_items_open(
    source_keys, fresh_database_url, tmp_path, police
):
    officer = StaffMemberFactory(username="drill.officer", agency=police)
    person = PersonFactory(given_name="Sam", family_name="Drill")
    for summary in SUMMARIES:
        InformationItemFactory(person=person, holding_agency=police, author=officer, summary=summary)
    records.items_page_for(officer, person, purpose=None, limit=10)  # a view through the door
    ledger.record(Action.SEARCH, by=officer, details={"terms": {"q": "drill"}, "results": 1})
    ledger.write_checkpoint()
    assert Checkpoint.objects.count() >= 1 and LedgerEntry.objects.filter(action=Action.VIEW).exists()

    archive = tmp_path / "backups" / "drill.tar"
    call_command("backup", str(archive))
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert {"keys/master_keys", "keys/ledger_signing_key.pem"} <= set(manifest["files"])
    assert oct(archive.stat().st_mode & 0o777) == "0o600"

    restored = tmp_path / "restored"
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("IOMSHARE_", "LEDGER_"))} | {
        "DATABASE_URL": fresh_database_url,
        "IOMSHARE_VAR": str(restored / "var"),
        "IOMSHARE_MASTER_KEY_FILE": str(restored / "master_keys"),
        "LEDGER_SIGNING_KEY_FILE": str(restored / "ledger_signing_key.pem"),
        "LEDGER_TRUSTED_KEYS_DIR": str(restored / "ledger_trusted_keys"),
    }
    result = iomshare("restore", str(archive), environment=environment)
    assert result.returncode == 0, result.stderr
    assert "The ledger verifies" in result.stdout
    assert (restored / "master_keys").read_bytes() == (source_keys / "master_keys").read_bytes()

    result = iomshare("shell", "-c", OPEN_AND_VERIFY, environment=environment)
    assert result.returncode == 0, result.stderr
    assert "The ledger is intact." in result.stdout
    assert json.loads(result.stdout.strip().splitlines()[-1]) == sorted(SUMMARIES)


def _damage(archive: Path, member: str, tmp_path: Path) -> Path:
    damaged = tmp_path / "damaged.tar"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w") as target:
        for info in source.getmembers():
            data = source.extractfile(info).read()
            if info.name == member:
                data = data[:-1] + bytes([data[-1] ^ 1])
            target.addfile(info, io.BytesIO(data))
    return damaged


@committed_on_sqlite
def test_a_damaged_archive_is_refused_naming_the_file_before_anything_is_written(
    source_keys, tmp_path, police
):
    InformationItemFactory(holding_agency=police)
    archive = tmp_path / "whole.tar"
    call_command("backup", str(archive))
    damaged = _damage(archive, "keys/master_keys", tmp_path)
    before = (source_keys / "master_keys").read_bytes()
    with pytest.raises(CommandError, match=r"keys/master_keys does not match its checksum"):
        call_command("restore", str(damaged))
    assert (source_keys / "master_keys").read_bytes() == before


@committed_on_sqlite
def test_restore_refuses_a_database_that_already_has_tables(source_keys, tmp_path, police):
    InformationItemFactory(holding_agency=police)
    archive = tmp_path / "whole.tar"
    call_command("backup", str(archive))
    with pytest.raises(CommandError, match="already has tables"):
        call_command("restore", str(archive))


@committed_on_sqlite
def test_an_archive_without_the_master_key_needs_the_key_file_given(source_keys, tmp_path, police):
    InformationItemFactory(holding_agency=police)
    archive = tmp_path / "nokey.tar"
    call_command("backup", str(archive), "--without-master-key")
    with tarfile.open(archive) as tar:
        assert "keys/master_keys" not in tar.getnames()
    with pytest.raises(CommandError, match="--master-key-file"):
        call_command("restore", str(archive))
