"""`iomshare`: the one command-line entry point.

Each subcommand is a Django management command of one of iomshare's apps, so every one has
`--help`, and they share settings, database and logging with the web app.
"""

from __future__ import annotations

import os
import sys

# The subcommands people use day to day, listed by `iomshare --help`; every Django management
# command (migrate, createsuperuser, shell...) works too.
COMMANDS = {
    "serve": "Serve the web app and API (waitress; PORT or --port picks the port).",
    "migrate": "Create or upgrade the database tables.",
    "demo": "Load, or reset, the synthetic demo partnership.",
    "demo-code": "DEMO ONLY: the current second-factor code of the demo accounts.",
    "createuser": "Create a staff member of an agency, with a role.",
    "link": "Resolve agencies' source records into people (Splink; --engine spark past one machine).",
    "token": "Issue, list, revoke and rotate scoped API bearer tokens.",
    "protocol": "Import a protocol file as a draft, export one as YAML, or list them.",
    "import": "Check (--dry-run) or import an agency extract (CSV, JSON, XLSX) through a profile.",
    "cohort-import": "Apply the selection panel's file of cohort changes (CSV, XLSX), all or nothing (--check).",
    "ledger": "Verify the disclosure ledger, sign a checkpoint, or make it append-only.",
    "retention": "Sweep daily for what is due: queue reviews, dispose of the rest unless under a legal hold.",
    "requests": "Escalate overdue requests for information to the holding agency's IG leads (run daily).",
    "health": "Take this month's snapshot of the partnership health check (run daily; once a month counts).",
    "actions": "Remind owners of actions due tomorrow and today (run daily; --queue for the worker).",
    "training": "Remind staff and their managers of training or vetting expiring (run daily).",
    "worker": "Run queued jobs: imports, linkage runs, retention sweeps, alert delivery (`make demo` starts one).",
    "check-migrations": "Fail if the models have changes that no migration records.",
    "backup": "Back up the database with the master key file and ledger keys into one checked archive.",
    "restore": "Restore a backup archive into a new, empty database (then verify the ledger).",
}


# The commands that serve web requests, and so keep the short database timeouts (operations.timeouts).
WEB_SERVERS = frozenset({"serve", "runserver"})


def _usage() -> str:
    width = max(map(len, COMMANDS))
    lines = [f"  {name.ljust(width)}  {text}" for name, text in COMMANDS.items()]
    return (
        "usage: iomshare <command> [options]\n\n"
        "iomshare: the information-sharing hub of an Integrated Offender Management partnership.\n\n"
        "commands:\n" + "\n".join(lines) + "\n\n"
        "`iomshare <command> --help` describes a command; `iomshare help --all` lists every command,\n"
        "Django's own included. Settings come from the environment (DATABASE_URL, SECRET_KEY, DEBUG).\n"
    )


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help"} or argv == ["help"]:
        sys.stdout.write(_usage())
        return
    if argv == ["help", "--all"]:
        argv = ["help"]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iomshare.settings")
    # Commands and jobs may wait longer for locks and run longer statements than web requests.
    os.environ.setdefault("IOMSHARE_TIMEOUTS", "web" if argv[0] in WEB_SERVERS else "command")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["iomshare", *argv])
