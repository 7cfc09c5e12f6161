"""Database timeouts: short for web and API work, longer for commands and jobs.

A lock held too long (a migration, a stuck transaction) must not stall every request: on PostgreSQL
each web connection carries `lock_timeout` and `statement_timeout`, and a request that hits one
answers 503 at once. Commands (`iomshare import`, `retention sweep`, `worker`, `migrate`) get the
longer pair: `iomshare.cli` chooses the `command` profile for everything but `serve`.
No Django imports at module level: settings.py uses this module.
"""

from __future__ import annotations

import re
import sqlite3
from typing import Any

import psycopg.errors

PROFILES = ("web", "command")
# PostgreSQL's own duration syntax: a number and an optional unit (no unit means milliseconds).
_DURATION = re.compile(r"^\d+(ms|s|min|h)?$")


def _checked(name: str, value: str) -> str:
    value = value.strip()
    if not _DURATION.match(value):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            f"{name} is {value!r}: write a whole number with an optional unit ms, s, min or h, "
            "for example 5s (0 switches the timeout off)."
        )
    return value


def database_options(engine: str, profile: dict[str, str], existing: dict[str, Any]) -> dict[str, Any]:
    """The database OPTIONS with `profile`'s lock and statement timeouts, for PostgreSQL connections."""
    if "postgresql" not in engine:
        return existing
    lock = _checked("lock_timeout", profile["lock_timeout"])
    statement = _checked("statement_timeout", profile["statement_timeout"])
    flags = f"-c lock_timeout={lock} -c statement_timeout={statement}"
    options = dict(existing)
    options["options"] = (options.get("options", "") + " " + flags).strip()
    return options


def _chain(error: BaseException | None):
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        yield error
        error = error.__cause__ or error.__context__


def is_database_timeout(error: BaseException) -> bool:
    """True when `error` (or what caused it) is a lock or statement timeout, or SQLite being busy."""
    for cause in _chain(error):
        if isinstance(cause, psycopg.errors.LockNotAvailable | psycopg.errors.QueryCanceled):
            return True
        if isinstance(cause, sqlite3.OperationalError) and "locked" in str(cause):
            return True
    return False


def use_command_timeouts() -> None:
    """Give this thread's PostgreSQL connection the longer `command` timeouts, for the rest of its life.

    For long work started inside a web process (an import's background thread) until it moves to the
    worker; the thread's connection must be closed when the work ends, as the import thread's is.
    """
    from django.conf import settings
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    profile = settings.IOMSHARE_DATABASE_TIMEOUTS["command"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('lock_timeout', %s, false), set_config('statement_timeout', %s, false)",
            [profile["lock_timeout"], profile["statement_timeout"]],
        )
