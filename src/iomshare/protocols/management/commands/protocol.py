"""`iomshare protocol import FILE | export ID | list`: protocols as YAML files, from the shell."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from iomshare.errors import DomainError
from iomshare.partnership.models import StaffMember
from iomshare.protocols import selectors, services, yaml_format
from iomshare.protocols.models import Protocol


class Command(BaseCommand):
    help = "Import a protocol file as a draft, export a protocol version as YAML, or list protocols."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{import,export,list}")
        importing = actions.add_parser("import", help="Import a YAML file as a draft version.")
        importing.add_argument("file", type=Path)
        importing.add_argument("--by", metavar="USERNAME", help="The staff member drafting it (recorded).")
        exporting = actions.add_parser("export", help="Write a protocol version as YAML.")
        exporting.add_argument("protocol", help="A version's id, or a reference (its latest version).")
        exporting.add_argument("-o", "--output", type=Path, help="Write to this file instead of stdout.")
        actions.add_parser("list", help="List every protocol version.")

    def handle(self, *args, action: str, **options) -> None:
        if action == "import":
            self._import(options["file"], options.get("by"))
        elif action == "export":
            self._export(options["protocol"], options.get("output"))
        else:
            self._list()

    def _import(self, path: Path, username: str | None) -> None:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {path}: {error}") from error
        by = None
        if username:
            by = StaffMember.objects.filter(username=username).first()
            if by is None:
                raise CommandError(f"No staff member has the username {username!r}.")
        try:
            protocol = services.draft_protocol(yaml_format.read_protocol(text), by=by)
        except yaml_format.ProtocolFileInvalid as error:
            for problem in error.problems:
                line = f"line {problem.line}" if problem.line else "file"
                self.stderr.write(f"{path}:{line}: {problem.field or '(file)'}: {problem.message}")
            raise CommandError(error.message) from error
        except DomainError as error:
            raise CommandError(error.message) from error
        self.stdout.write(
            f"Imported {protocol.reference} as draft version {protocol.version} (id {protocol.pk}); "
            "each party's information-governance lead must now approve it."
        )

    def _export(self, key: str, output: Path | None) -> None:
        if key.isdigit():
            protocol = Protocol.objects.filter(pk=int(key)).first()
        else:
            protocol = Protocol.objects.filter(reference=key).order_by("-version").first()
        if protocol is None:
            raise CommandError(f"No protocol has the id or reference {key!r}.")
        page = selectors.protocol_page(protocol.pk)
        assert page is not None  # the protocol found above
        text = yaml_format.dump_protocol(page)
        if output:
            output.write_text(text, encoding="utf-8")
            self.stdout.write(f"Wrote {protocol.label} to {output}")
        else:
            self.stdout.write(text, ending="")

    def _list(self) -> None:
        rows = Protocol.objects.select_related("owner_agency").order_by("reference", "-version")
        if not rows:
            self.stdout.write("No protocols yet.")
        for protocol in rows:
            self.stdout.write(
                f"{protocol.pk:>5}  {protocol.reference:<32} v{protocol.version:<3} "
                f"{protocol.get_status_display():<30} {protocol.title}"
            )
