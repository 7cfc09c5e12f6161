import getpass
import sys

from django.core.management.base import BaseCommand, CommandError, CommandParser

from iomshare.errors import DomainError
from iomshare.partnership.models import Role
from iomshare.partnership.services import create_staff_member


class Command(BaseCommand):
    help = (
        "Create a staff member of an agency, with a role. The password is read from standard input "
        "(--password-stdin) or asked for twice; it must pass the password rules."
    )
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", required=True)
        parser.add_argument("--agency", required=True, help="The agency's code, for example police.")
        parser.add_argument(
            "--role",
            help=f"One of: {', '.join(Role.values)}. Defaults to practitioner ({Role.VOLUNTEER.value} "
            "with --volunteer).",
        )
        parser.add_argument(
            "--volunteer", action="store_true", help="A VCS volunteer: sees only what protocols open to them."
        )
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="Read the password from the first line of standard input instead of asking.",
        )

    def handle(self, *args, **options):
        role = options["role"] or (Role.VOLUNTEER if options["volunteer"] else Role.PRACTITIONER)
        password = self._password(options)
        try:
            member = create_staff_member(
                username=options["username"],
                agency_code=options["agency"],
                role=role,
                password=password,
                is_volunteer=options["volunteer"],
                first_name=options["first_name"],
                last_name=options["last_name"],
                email=options["email"],
            )
        except DomainError as error:
            problems = "".join(f"\n  {field}: {text}" for field, text in error.field_errors.items())
            raise CommandError(error.message + problems) from error
        assert member.agency is not None  # created in the agency named
        self.stdout.write(f"Created {member.username}: {member.get_role_display()} at {member.agency.name}.")

    def _password(self, options) -> str:
        # `stdin` lets tests (and scripts calling call_command) hand the password in.
        if options["password_stdin"]:
            stdin = options.get("stdin", sys.stdin)
            return stdin.readline().rstrip("\r\n")
        first = getpass.getpass("Password: ")
        if getpass.getpass("Password (again): ") != first:
            raise CommandError("The two passwords are different, so no account was created.")
        return first
