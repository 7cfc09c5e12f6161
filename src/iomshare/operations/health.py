"""`/healthz` (the process answers) and `/readyz` (it can do its work), for load balancers and probes.

Neither needs a sign-in and neither says anything about a person: only each check's name, whether it
passed and a short reason. Readiness writes a ledger entry in a transaction it then rolls back.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

from django.db import DatabaseError, connection, transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from iomshare.ledger import services as ledger
from iomshare.ledger.models import Action
from iomshare.operations import heartbeat
from iomshare.records import sealing
from iomshare.records.models import DataKey

logger = logging.getLogger(__name__)

Check = Callable[[], tuple[bool, str]]


class _RolledBack(Exception):
    """Raised inside the probe's transaction so that nothing it wrote is kept."""


def database_check() -> tuple[bool, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return True, f"{connection.vendor} answers"


def ledger_check() -> tuple[bool, str]:
    """Append an entry as a real request would (lane lock, chain head, insert), then roll it back."""
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '1s'")
                    cursor.execute("SET LOCAL statement_timeout = '2s'")
            ledger.append(ledger.Event(action=Action.SEARCH, details={"readiness probe": "rolled back"}))
            raise _RolledBack
    except _RolledBack:
        return True, "an entry can be appended"
    except ledger.LedgerUnavailable:
        return False, "an entry cannot be appended (locked, read-only or missing)"


def master_key_check() -> tuple[bool, str]:
    """The key file is there and readable, and unwraps the newest data key: it is the right file.

    Never creates a key file (sealing.master_keys would): a missing one must be noticed, not replaced.
    """
    path = Path(sealing.master_key_path())
    try:
        keys = sealing.MasterKeys.from_json(path.read_text())
    except FileNotFoundError:
        return False, "the master key file is missing"
    except (OSError, ValueError, KeyError):
        return False, "the master key file cannot be read"
    newest = DataKey.objects.order_by("-created_at", "-pk").first()
    if newest is None:
        return True, f"generation {keys.current} readable; no data keys yet"
    try:
        keys.unwrap(
            newest.generation, newest.wrapped, sealing.bucket_aad(newest.person_id, newest.holding_agency_id)
        )
    except sealing.ContentUnavailable:
        return False, "the master key file does not open the newest data key"
    return True, f"generation {keys.current} opens the newest data key"


# The readiness checks, in order; the worker check is heartbeat.worker_check (docs/operations.md).
READINESS_CHECKS: dict[str, Check] = {
    "database": database_check,
    "ledger": ledger_check,
    "master_key": master_key_check,
    "worker": heartbeat.worker_check,
}


def _run(check: Check) -> dict[str, object]:
    started = time.perf_counter()
    try:
        ok, detail = check()
    except (DatabaseError, OSError) as error:
        logger.warning("Readiness check failed: %s", error)
        ok, detail = False, type(error).__name__
    return {"ok": ok, "detail": detail, "ms": round((time.perf_counter() - started) * 1000, 1)}


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 while the process answers; touches nothing else (no database)."""
    return JsonResponse({"status": "ok"})


@require_GET
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """200 when every readiness check passes, else 503 naming the checks that failed."""
    results = {name: _run(check) for name, check in READINESS_CHECKS.items()}
    ready = all(result["ok"] for result in results.values())
    return JsonResponse(
        {"status": "ready" if ready else "not ready", "checks": results}, status=200 if ready else 503
    )
