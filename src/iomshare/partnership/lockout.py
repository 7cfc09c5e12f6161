"""Lockout: five failed attempts lock an account for ten minutes; many from one address lock the address.

One rule for every way in: the sign-in page (which `/admin/` uses too), a second-factor code and an
API token. Failures are kept in the database, not a per-process cache, so several web processes
count them together. Every lock goes on the ledger; the account's owner is told at next sign-in.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max, Q
from django.http import HttpRequest
from django.utils import timezone

from iomshare.errors import DomainError
from iomshare.ledger import services as ledger
from iomshare.ledger.context import client_address
from iomshare.ledger.models import Action, Outcome
from iomshare.partnership.models import FailedSignIn, SignInChannel, SignInLock
from iomshare.web.govuk_dates import govuk_time

ACCOUNT_FAILURE_LIMIT = 5
# An office or a police station can sit behind one address, so its limit is higher than an account's.
ADDRESS_FAILURE_LIMIT = 20
WINDOW = dt.timedelta(minutes=10)
LOCK_FOR = dt.timedelta(minutes=10)


class SignInLocked(DomainError):
    status = 429
    title = "Too many failed attempts to sign in"


def _normal(username: str) -> str:
    return (username or "").strip().lower()[:150]


def _when(moment: dt.datetime) -> str:
    return govuk_time(moment)


def refusal(username: str, address: str, now: dt.datetime | None = None) -> str | None:
    """Why `username` may not try to sign in from `address` now, or None when they may try."""
    now = now or timezone.now()
    name = _normal(username)
    if name:
        lock = (
            SignInLock.objects.filter(username=name, locked_until__gt=now).order_by("-locked_until").first()
        )
        if lock is not None:
            return (
                f"This account is locked for {LOCK_FOR.seconds // 60} minutes after "
                f"{ACCOUNT_FAILURE_LIMIT} failed attempts to sign in. Try again after {_when(lock.locked_until)}. "
                "If you did not make these attempts, tell "
                f"{settings.IOMSHARE_SUPPORT_CONTACT['name']} ({settings.IOMSHARE_SUPPORT_CONTACT['email']})."
            )
    if address:
        lock = (
            SignInLock.objects.filter(username="", client_address=address, locked_until__gt=now)
            .order_by("-locked_until")
            .first()
        )
        if lock is not None:
            return (
                "Too many failed attempts to sign in have come from your network address. "
                f"Try again after {_when(lock.locked_until)}."
            )
    return None


def check(username: str, address: str) -> None:
    """Raise SignInLocked when `username` or `address` is locked."""
    if reason := refusal(username, address):
        raise SignInLocked(reason)


@transaction.atomic
def note_failure(username: str, address: str, channel: str, *, counts_for_account: bool = True) -> None:
    """Keep one failed attempt, and lock the account or the address when it reaches its limit.

    `counts_for_account` False counts the attempt against the address only: a wrong API token
    names no account, and a revoked one must not let anyone lock its owner out.
    """
    now = timezone.now()
    name = _normal(username)
    FailedSignIn.objects.create(username=name, client_address=address, channel=channel, at=now)
    if name and counts_for_account:
        _lock_when_over(Q(username=name), SignInLock(username=name, client_address=address), now)
    if address:
        _lock_when_over(
            Q(client_address=address),
            SignInLock(username="", client_address=address),
            now,
            ADDRESS_FAILURE_LIMIT,
        )


def _lock_when_over(which: Q, lock: SignInLock, now: dt.datetime, limit: int = ACCOUNT_FAILURE_LIMIT) -> None:
    """Lock when failures since the last lock ended (within the window) reach `limit`."""
    lock_filter = (
        Q(username=lock.username) if lock.username else Q(username="", client_address=lock.client_address)
    )
    last = SignInLock.objects.filter(lock_filter).aggregate(end=Max("locked_until"))["end"]
    if last is not None and last > now:
        return  # already locked: attempts while locked are recorded but do not extend the lock
    since = max(now - WINDOW, last) if last is not None else now - WINDOW
    if FailedSignIn.objects.filter(which, at__gt=since).count() < limit:
        return
    lock.locked_at, lock.locked_until = now, now + LOCK_FOR
    lock.save()
    ledger.record(
        Action.ACCOUNT_LOCKED,
        username=lock.username,
        outcome=Outcome.REFUSED,
        details={
            "locked": "account" if lock.username else "network address",
            "address": lock.client_address,
            "failed_attempts": limit,
            "until": lock.locked_until.isoformat(),
        },
    )


def address_of(request: HttpRequest | None) -> str:
    return client_address(request) if request is not None and hasattr(request, "META") else ""


class LockoutAwareBackend(ModelBackend):
    """Django's password check, refused outright while the account or the address is locked.

    Every sign-in path calls `authenticate()` (the sign-in page, `/admin/`'s form, a test
    client's `login`), so none can go round the lock. Refusing raises PermissionDenied, which
    Django reports as a failed sign-in (and so the ledger records it).
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        reason = refusal(username or kwargs.get("login", ""), address_of(request))
        if reason:
            if request is not None:
                request.sign_in_refusal = reason
            raise PermissionDenied(reason)
        return super().authenticate(request, username=username, password=password, **kwargs)


def told_at_sign_in(username: str) -> str | None:
    """What to tell an account's owner as they sign in: failed attempts and locks since last told.

    Marks them told, so each is mentioned once.
    """
    name = _normal(username)
    now = timezone.now()
    failures = FailedSignIn.objects.filter(username=name, told_at__isnull=True)
    locks = SignInLock.objects.filter(username=name, told_at__isnull=True)
    failed, locked = failures.count(), locks.count()
    if not failed and not locked:
        return None
    failures.update(told_at=now)
    locks.update(told_at=now)
    text = f"There {'was' if failed == 1 else 'were'} {failed} failed attempt{'s' if failed != 1 else ''} to sign in to your account since you last signed in"
    if locked:
        text += f", and it was locked {'once' if locked == 1 else f'{locked} times'}"
    return text + ". If you did not make them, tell your agency's administrator."


__all__ = [
    "ACCOUNT_FAILURE_LIMIT",
    "ADDRESS_FAILURE_LIMIT",
    "LOCK_FOR",
    "LockoutAwareBackend",
    "SignInChannel",
    "SignInLocked",
    "check",
    "note_failure",
    "refusal",
    "told_at_sign_in",
]
