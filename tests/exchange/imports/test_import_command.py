import csv
import io

import pytest
from django.core.management import CommandError, call_command

from iomshare.exchange.models import ImportedItemKey
from iomshare.partnership.models import Role
from iomshare.records.models import InformationItem
from tests.exchange.imports.conftest import contact_row, csv_bytes, good_contacts
from tests.factories import StaffMemberFactory


def run(*args):
    out = io.StringIO()
    try:
        call_command("import", *map(str, args), stdout=out)
    except SystemExit as exit_:
        return exit_.code, out.getvalue()
    return 0, out.getvalue()


@pytest.fixture
def system_account(partnership):
    return StaffMemberFactory(username="probation.system", agency=partnership["probation"], role=Role.SYSTEM)


def test_a_dry_run_from_the_command_line_counts_rows_and_writes_nothing(
    people, system_account, write_file, capsys
):
    code, _ = run(write_file(csv_bytes(good_contacts(3))), "--profile", "probation-contacts", "--dry-run")
    printed = capsys.readouterr().out
    assert code == 0
    assert (
        "Rows read" in printed
        and "Would be imported" in printed
        and "Dry run: nothing was written." in printed
    )
    assert InformationItem.objects.count() == 0


def test_the_command_imports_as_the_agencys_system_account(people, system_account, write_file, capsys):
    code, _ = run(write_file(csv_bytes(good_contacts(3))), "--profile", "probation-contacts")
    assert code == 0 and "Imported 3 new items." in capsys.readouterr().out
    assert set(InformationItem.objects.values_list("author__username", flat=True)) == {"probation.system"}


def test_the_command_lists_every_problem_and_exits_non_zero_writing_nothing(
    people, system_account, write_file, capsys
):
    path = write_file(csv_bytes([contact_row("C1", outcome="NOPE"), contact_row("C2", day="99/99/2026")]))
    code, _ = run(path, "--profile", "probation-contacts")
    printed = capsys.readouterr().out
    assert code == 1
    assert "Problems (2)" in printed and "NOPE" in printed and "99/99/2026" in printed
    assert "Nothing was imported" in printed
    assert InformationItem.objects.count() == 0


def test_the_command_imports_valid_rows_and_writes_the_rejects_file(
    people, system_account, write_file, tmp_path
):
    rejects = tmp_path / "rejects.csv"
    path = write_file(csv_bytes([*good_contacts(2), contact_row("C9", outcome="NOPE")]))
    code, _ = run(path, "--profile", "probation-contacts", "--accept-valid-rows", "--rejects-file", rejects)
    assert code == 0 and InformationItem.objects.count() == 2 and ImportedItemKey.objects.count() == 2
    rows = list(csv.reader(io.StringIO(rejects.read_text())))
    assert [row[0] for row in rows[1:]] == ["C9"]


def test_valid_rows_are_never_accepted_without_somewhere_for_the_rejects(people, system_account, write_file):
    with pytest.raises(CommandError, match="needs --rejects-file"):
        call_command(
            "import",
            str(write_file(csv_bytes(good_contacts(1)))),
            "--profile",
            "probation-contacts",
            "--accept-valid-rows",
        )


def test_an_unknown_profile_is_named(people, write_file):
    with pytest.raises(CommandError, match="no import profile called 'nope'"):
        call_command("import", str(write_file(csv_bytes(good_contacts(1)))), "--profile", "nope")


def test_without_a_system_account_the_command_asks_who_imports(people, write_file):
    with pytest.raises(CommandError, match="Say who imports with --as USERNAME"):
        call_command(
            "import", str(write_file(csv_bytes(good_contacts(1)))), "--profile", "probation-contacts"
        )


def test_an_unreadable_file_is_explained(people, system_account, write_file, capsys):
    code, _ = run(
        write_file(csv_bytes(good_contacts(1), encoding="utf-16")), "--profile", "probation-contacts"
    )
    assert code == 1 and "UTF-16" in capsys.readouterr().out
