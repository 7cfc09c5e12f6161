"""The daily commands' `--today`: runs them as if on another day; anything but a date is refused clearly."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

pytestmark = pytest.mark.django_db

DAILY = [("retention", "sweep"), ("actions", "remind"), ("requests", "escalate"), ("training", "remind")]


@pytest.mark.parametrize(("command", "subcommand"), DAILY)
def test_a_today_that_is_not_a_date_is_refused_saying_how_to_write_it(command, subcommand):
    with pytest.raises(
        CommandError, match=r"--today must be a date written YYYY-MM-DD, like 2026-11-26, not '26/11/2026'"
    ):
        call_command(command, subcommand, "--today", "26/11/2026")


@pytest.mark.parametrize(("command", "subcommand"), DAILY)
def test_a_today_that_is_a_date_runs_the_command(command, subcommand):
    call_command(command, subcommand, "--today", "2026-11-26")  # nothing is due in an empty partnership
