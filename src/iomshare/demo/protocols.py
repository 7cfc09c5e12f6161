"""The demo partnership's protocols: read from the YAML files in protocol_files/, approved by each party.

The files carry fixed dates; loading moves the review and end dates relative to today so that the
demo never starts with protocols past review. Each party's information-governance lead approves,
exactly as in real use, so the demo's protocols become active through the same lifecycle.
"""

from __future__ import annotations

import datetime as dt
from importlib import resources

from django.db import transaction
from django.utils import timezone

from iomshare.errors import InvalidInput
from iomshare.partnership.models import Role, StaffMember
from iomshare.protocols import services, yaml_format
from iomshare.protocols.models import Protocol

REVIEW_AFTER_DAYS = 180


def demo_files() -> list[tuple[str, str]]:
    """(file name, text) of every demo protocol, in load order."""
    folder = resources.files("iomshare.demo") / "protocol_files"
    return sorted(
        (entry.name, entry.read_text(encoding="utf-8"))
        for entry in folder.iterdir()
        if entry.name.endswith(".yaml")
    )


@transaction.atomic
def load_demo_protocols(*, today: dt.date | None = None) -> list[Protocol]:
    """Draft and approve every demo protocol not already present; returns those it loaded."""
    today = today or timezone.localdate()
    loaded = []
    for name, text in demo_files():
        data, lines = yaml_format.parse(text)
        if Protocol.objects.filter(reference=data["reference"]).exists():
            continue
        data["review_on"] = today + dt.timedelta(days=REVIEW_AFTER_DAYS)
        try:
            spec = yaml_format.validate(data, lines, today=today)
        except yaml_format.ProtocolFileInvalid as error:
            problems = "; ".join(f"{p.field}: {p.message}" for p in error.problems)
            raise InvalidInput(f"Demo protocol {name} does not fit this partnership: {problems}") from error
        protocol = services.draft_protocol(spec, by=None)
        for agency in protocol.parties.order_by("code"):
            lead = StaffMember.objects.filter(agency=agency, role=Role.IG_LEAD, is_active=True).first()
            if lead is None:
                raise InvalidInput(f"{agency.name} has no information-governance lead to approve {name}.")
            services.approve_protocol(protocol, by=lead)
        protocol.refresh_from_db()
        loaded.append(protocol)
    return loaded
