"""Bearer tokens for the machine API: issuing, revoking, and recognising them.

Only the SHA-256 of a token is stored, so a copy of the database gives nobody a working token; the
secret is shown once, when it is issued. Looking a token up by its hash means the time a lookup
takes says nothing about how much of a guessed secret was right.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from enum import StrEnum

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from iomshare.errors import InvalidInput, NotPermitted
from iomshare.ledger import services as ledger
from iomshare.ledger.models import Action, Outcome
from iomshare.partnership import lockout
from iomshare.partnership.models import ApiToken, Role, SignInChannel, StaffMember

TOKEN_PREFIX = "iom_"  # noqa: S105 (a marker, not a secret)
RANDOM_BYTES = 30  # token_urlsafe(30) gives 40 url-safe characters
TOKEN_LENGTH = len(TOKEN_PREFIX) + 40
DISPLAY_PREFIX_LENGTH = 12
MAX_EXPIRES_IN_DAYS = 3 * 366
# Recording every use would write to the database on every request; once a minute is enough to
# tell a live token from a forgotten one.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)
ROLES_THAT_MANAGE_AGENCY_TOKENS = {Role.ADMIN, Role.IG_LEAD}


class Scope(StrEnum):
    """What a token may do. Each API operation needs one (scope_needed_for), checked on every call."""

    READ = "read"  # read people, items, forms, vocabulary, ledger reports, exports
    WRITE = "write"  # record items and forms, ask for information
    IMPORT = "import"  # agency extracts through import profiles
    LINK = "link"  # send source records for identity linkage and read its results


ALL_SCOPES = tuple(Scope)


def default_scopes() -> tuple[str, ...]:
    """Scopes a token gets when none are named: read only (settings.IOMSHARE_TOKEN_DEFAULT_SCOPES)."""
    return tuple(getattr(settings, "IOMSHARE_TOKEN_DEFAULT_SCOPES", (Scope.READ,)))


def scope_needed_for(url_name: str, method: str) -> Scope:
    """The scope an API operation needs: imports and linkage by name, otherwise reading or writing.

    Decided from the operation, not listed by hand, so an operation added later is covered at once
    (a GET reads, anything else writes).
    """
    if url_name.startswith("import"):
        return Scope.IMPORT
    if url_name.startswith("identity"):
        return Scope.LINK
    return Scope.READ if method in {"GET", "HEAD", "OPTIONS"} else Scope.WRITE


def _clean_scopes(scopes, errors: dict[str, str]) -> str:
    wanted = [str(scope).strip().lower() for scope in (scopes if scopes is not None else default_scopes())]
    unknown = sorted(set(wanted) - set(ALL_SCOPES))
    if unknown:
        errors["scopes"] = f"Unknown scope {', '.join(unknown)}: choose from {', '.join(ALL_SCOPES)}"
    elif not wanted:
        errors["scopes"] = "Give the token at least one scope: " + ", ".join(ALL_SCOPES)
    return ",".join(scope for scope in ALL_SCOPES if scope in wanted)


def hash_secret(secret: str) -> str:
    """The stored form of a token: its SHA-256, in hex."""
    return hashlib.sha256(secret.encode()).hexdigest()


def may_manage_tokens_of(staff: StaffMember, *, by: StaffMember | None) -> bool:
    """Whether `by` may issue or revoke `staff`'s tokens.

    The staff member themself, their own agency's administrator or information-governance lead, a
    superuser, or (`by` None) the server's operator at the command line.
    """
    if by is None:
        return True
    if not by.is_active:
        return False
    if by.is_superuser or by.pk == staff.pk:
        return True
    return (
        by.agency_id is not None
        and by.agency_id == staff.agency_id
        and by.role in ROLES_THAT_MANAGE_AGENCY_TOKENS
    )


@transaction.atomic
def issue_token(
    *,
    for_staff: StaffMember,
    name: str,
    expires_in_days: int | None = None,
    scopes=None,
    by: StaffMember | None,
) -> tuple[ApiToken, str]:
    """Issue a token for `for_staff` and return it with its secret, which is never stored or shown again.

    `by` None is the server's operator at the command line. A token acts as its staff member, so
    it is issued only to an active account of a partner agency.
    """
    if not may_manage_tokens_of(for_staff, by=by):
        raise NotPermitted(
            "Only the staff member themself, their agency's administrator or information-governance "
            "lead can issue them an API token."
        )
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = "Enter a name that says what the token is for, like 'case management sync'"
    elif len(name) > ApiToken.NAME_MAX_LENGTH:
        errors["name"] = "The name must be 100 characters or fewer"
    if expires_in_days is not None and not 1 <= expires_in_days <= MAX_EXPIRES_IN_DAYS:
        errors["expires_in_days"] = f"A token must expire in 1 to {MAX_EXPIRES_IN_DAYS} days"
    if not for_staff.is_active:
        errors["staff_member"] = f"The account {for_staff.username} is deactivated"
    elif for_staff.agency_id is None:
        errors["staff_member"] = f"The account {for_staff.username} does not belong to an agency"
    scope_text = _clean_scopes(scopes, errors)
    if errors:
        raise InvalidInput("No token was issued: correct the problems listed.", field_errors=errors)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(RANDOM_BYTES)
    now = timezone.now()
    token = ApiToken.objects.create(
        staff_member=for_staff,
        name=name,
        prefix=secret[:DISPLAY_PREFIX_LENGTH],
        key_hash=hash_secret(secret),
        created_at=now,
        expires_at=now + dt.timedelta(days=expires_in_days) if expires_in_days is not None else None,
        scopes=scope_text,
    )
    _record_on_ledger(Action.TOKEN_ISSUED, token, by=by)
    return token, secret


def _record_on_ledger(
    action: str, token: ApiToken, *, by: StaffMember | None, extra: dict | None = None
) -> None:
    """Token issue and revocation go on the disclosure ledger (`by` None: the operator's command line)."""
    ledger.record(
        action,
        by=by,
        username="" if by is not None else "command-line operator",
        details={
            "token": token.prefix,
            "name": token.name,
            "for": token.staff_member.get_username(),
            "expires_at": token.expires_at.isoformat() if token.expires_at else "",
            "scopes": token.scopes,
            **(extra or {}),
        },
    )


@transaction.atomic
def revoke_token(token: ApiToken, *, by: StaffMember | None) -> ApiToken:
    """Stop `token` working from now on; `by` None is the server's operator at the command line."""
    if not may_manage_tokens_of(token.staff_member, by=by):
        raise NotPermitted(
            "Only the staff member themself, their agency's administrator or information-governance "
            "lead can revoke their API token."
        )
    if token.revoked_at is not None:
        raise InvalidInput(
            f"The token {token.prefix}… was already revoked on {timezone.localtime(token.revoked_at):%d %B %Y}."
        )
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    _record_on_ledger(Action.TOKEN_REVOKED, token, by=by)
    return token


@transaction.atomic
def rotate_token(token: ApiToken, *, by: StaffMember | None) -> tuple[ApiToken, str]:
    """Replace `token` with a new secret of the same name, scopes and lifetime; the old one stops now."""
    lifetime = None
    if token.expires_at is not None:
        lifetime = max(1, min(MAX_EXPIRES_IN_DAYS, (token.expires_at - token.created_at).days))
    revoke_token(token, by=by)
    new, secret = issue_token(
        for_staff=token.staff_member,
        name=token.name,
        expires_in_days=lifetime,
        scopes=sorted(token.scope_set),
        by=by,
    )
    return new, secret


def check_scope(token: ApiToken, needed: Scope) -> None:
    """Refuse an operation the token's scopes do not cover (NotPermitted names the scope needed)."""
    if needed not in token.scope_set:
        raise NotPermitted(
            f"This API token may {', '.join(sorted(token.scope_set))} only; this operation needs the "
            f"'{needed}' scope. Issue a token with it (`iomshare token issue --scope {needed}`)."
        )


def authenticate_token(secret: str, *, address: str = "") -> StaffMember | None:
    """The staff member a presented token acts as, or None if it is unknown, revoked or expired.

    The account must still be active and belong to an agency. Last use is recorded at most once a
    minute per token, so API traffic does not mean a database write per request. Wrong tokens
    count towards `address`'s lockout; a locked address raises lockout.SignInLocked.
    """
    if reason := lockout.refusal("", address):
        _refused("the network address is locked", prefix=secret[:DISPLAY_PREFIX_LENGTH], address=address)
        raise lockout.SignInLocked(reason)
    if not secret.startswith(TOKEN_PREFIX) or len(secret) != TOKEN_LENGTH:
        _refused("not an iomshare API token", address=address)
        return None
    token = (
        ApiToken.objects.select_related("staff_member", "staff_member__agency")
        .filter(key_hash=hash_secret(secret))
        .first()
    )
    now = timezone.now()
    if token is None:
        _refused("no such token", prefix=secret[:DISPLAY_PREFIX_LENGTH], address=address)
        return None
    if not token.is_usable(now):
        reason = "revoked" if token.revoked_at is not None else "expired"
        _refused(f"the token was {reason}", token=token, address=address)
        return None
    staff = token.staff_member
    if not staff.is_active or staff.agency_id is None:
        _refused("the account is inactive or has no agency", token=token, address=address)
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        # Conditional, so concurrent requests in the same minute write once between them.
        ApiToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_RESOLUTION)
        ).update(last_used_at=now)
    staff.api_token = token
    return staff


def _refused(reason: str, *, token: ApiToken | None = None, prefix: str = "", address: str = "") -> None:
    """Put a refused token on the ledger as a failed sign-in, as the sign-in page's are: the
    token's display prefix and whose it is, never the secret. It counts towards the address's
    lockout only: a token names no account a guesser could lock out."""
    if reason != "the network address is locked":
        lockout.note_failure("", address, SignInChannel.API_TOKEN, counts_for_account=False)
    ledger.record(
        Action.SIGN_IN_FAILED,
        username=token.staff_member.get_username() if token is not None else "",
        outcome=Outcome.FAILED,
        details={
            "channel": "api token",
            "reason": reason,
            "token_prefix": token.prefix if token is not None else prefix,
        },
    )
    return None


def tokens_of(staff: StaffMember | None = None) -> QuerySet[ApiToken]:
    """Tokens, newest first: `staff`'s, or everybody's when None (for the operator's list)."""
    query = ApiToken.objects.select_related("staff_member", "staff_member__agency").order_by("-created_at")
    return query.filter(staff_member=staff) if staff is not None else query


def token_by_prefix(prefix: str) -> ApiToken:
    """The one token whose display prefix is `prefix`; a clear error when none or several match."""
    prefix = (prefix or "").strip()
    matches = list(tokens_of().filter(prefix=prefix)[:2])
    if not matches:
        raise InvalidInput(f"There is no token with the prefix {prefix!r}. `iomshare token list` shows them.")
    if len(matches) > 1:
        raise InvalidInput(f"More than one token has the prefix {prefix!r}; revoke it in the admin site.")
    return matches[0]
