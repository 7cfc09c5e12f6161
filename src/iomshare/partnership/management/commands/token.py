from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.timezone import localtime

from iomshare.errors import DomainError
from iomshare.partnership.models import ApiToken, StaffMember
from iomshare.partnership.tokens import (
    ALL_SCOPES,
    MAX_EXPIRES_IN_DAYS,
    issue_token,
    revoke_token,
    rotate_token,
    token_by_prefix,
    tokens_of,
)


def _domain_error(error: DomainError) -> CommandError:
    problems = "".join(f"\n  {field}: {text}" for field, text in error.field_errors.items())
    return CommandError(error.message + problems)


def _staff(username: str) -> StaffMember:
    member = StaffMember.objects.select_related("agency").filter(username=username).first()
    if member is None:
        raise CommandError(f"There is no account called {username!r}.")
    return member


def _state(token: ApiToken, now) -> str:
    if token.revoked_at is not None:
        return f"revoked {localtime(token.revoked_at):%Y-%m-%d}"
    if token.expires_at is not None and token.expires_at <= now:
        return f"expired {localtime(token.expires_at):%Y-%m-%d}"
    return "active"


class Command(BaseCommand):
    help = (
        "Issue, list and revoke bearer tokens for the machine API (/api/v1/). A token acts as its "
        "staff member (use an agency system account for a system); only its hash is stored."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{issue,list,revoke,rotate}")
        issue = actions.add_parser(
            "issue",
            help="Issue a token and print it once.",
            description="Issue a token for a staff member and print its secret once: it cannot be shown "
            "again. The secret goes to standard output alone, the explanation to standard error.",
        )
        issue.add_argument("--username", required=True, help="The account the token acts as.")
        issue.add_argument("--name", required=True, help="What the token is for, like 'case system sync'.")
        issue.add_argument(
            "--expires-in-days",
            type=int,
            help=f"Days until the token stops working (1 to {MAX_EXPIRES_IN_DAYS}); never, if left out.",
        )
        issue.add_argument(
            "--scope",
            action="append",
            choices=[str(scope) for scope in ALL_SCOPES],
            help="What the token may do (repeat for several): read, write, import, link. Read only if left out.",
        )
        rotate = actions.add_parser(
            "rotate",
            help="Replace a token with a new secret (same name, scopes and lifetime); the old one stops now.",
            description="Rotate a token: print a new secret once and revoke the old token at once.",
        )
        rotate.add_argument("--prefix", required=True, help="The token's prefix, as `token list` shows it.")
        listing = actions.add_parser(
            "list",
            help="List tokens (never their secrets).",
            description="List tokens, newest first: prefix, name, account, state and last use.",
        )
        listing.add_argument("--username", help="Only this account's tokens.")
        revoke = actions.add_parser(
            "revoke",
            help="Revoke a token by its prefix.",
            description="Revoke a token at once: requests that present it are refused from now on.",
        )
        revoke.add_argument("--prefix", required=True, help="The token's prefix, as `token list` shows it.")

    def handle(self, *args, **options):
        actions = {"issue": self._issue, "list": self._list, "revoke": self._revoke, "rotate": self._rotate}
        actions[options["action"]](options)

    def _rotate(self, options) -> None:
        try:
            old = token_by_prefix(options["prefix"])
            token, secret = rotate_token(old, by=None)
        except DomainError as error:
            raise _domain_error(error) from error
        self.stderr.write(
            f"Rotated {old.prefix}… (revoked now) to {token.prefix}… '{token.name}' with scopes {token.scopes}.\n"
            "WARNING: copy the new token below now; it is shown only this once."
        )
        self.stdout.write(secret)

    def _issue(self, options) -> None:
        member = _staff(options["username"])
        try:
            token, secret = issue_token(
                for_staff=member,
                name=options["name"],
                expires_in_days=options["expires_in_days"],
                scopes=options["scope"],
                by=None,
            )
        except DomainError as error:
            raise _domain_error(error) from error
        expiry = (
            f"expires {localtime(token.expires_at):%Y-%m-%d %H:%M %Z}"
            if token.expires_at
            else "never expires"
        )
        assert member.agency is not None  # issue_token refuses a member of no agency
        self.stderr.write(
            f"Issued token {token.prefix}… '{token.name}' for {member.username} "
            f"({member.agency.name}) with scopes {token.scopes}; it {expiry}.\n"
            "WARNING: copy the token below now. It is shown only this once and cannot be recovered; "
            f"anyone holding it acts as {member.username} through the API. Keep it in a secret store, "
            f"never in code. Revoke it with `iomshare token revoke --prefix {token.prefix}`."
        )
        self.stdout.write(secret)

    def _list(self, options) -> None:
        tokens = list(tokens_of(_staff(options["username"]) if options["username"] else None))
        if not tokens:
            self.stdout.write("No tokens.")
            return
        now = timezone.now()
        rows = [("PREFIX", "NAME", "ACCOUNT", "AGENCY", "SCOPES", "STATE", "EXPIRES", "LAST USED")]
        for token in tokens:
            member = token.staff_member
            rows.append(
                (
                    token.prefix,
                    token.name,
                    member.username,
                    member.agency.code if member.agency else "-",
                    token.scopes,
                    _state(token, now),
                    f"{localtime(token.expires_at):%Y-%m-%d}" if token.expires_at else "never",
                    f"{localtime(token.last_used_at):%Y-%m-%d %H:%M}" if token.last_used_at else "never",
                )
            )
        widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
        for row in rows:
            self.stdout.write(
                "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
            )

    def _revoke(self, options) -> None:
        try:
            token = revoke_token(token_by_prefix(options["prefix"]), by=None)
        except DomainError as error:
            raise _domain_error(error) from error
        self.stdout.write(
            f"Revoked token {token.prefix}… '{token.name}' of {token.staff_member.username}: "
            "requests presenting it are refused from now on."
        )
