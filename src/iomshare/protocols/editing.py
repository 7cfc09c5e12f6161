"""Changing a draft in the browser, and asking the drafter for changes instead of approving.

The editor works on the protocol's YAML document (yaml_format.protocol_data): each form changes one
part of it, and the whole document then goes through yaml_format.validate, the same checks a YAML
import runs, before anything is written. So the editor and the import cannot disagree on what a
valid protocol is: there is one validator.
"""

from __future__ import annotations

import copy
from typing import Any

from django.db import transaction
from django.utils import timezone

from iomshare.errors import InvalidInput, NotPermitted
from iomshare.ledger.models import Action
from iomshare.partnership.models import Role, StaffMember
from iomshare.protocols import services, yaml_format
from iomshare.protocols.models import ChangeRequest, Protocol, ProtocolStatus

# The part of the YAML document the editor never changes: `version` and `status` are informative.
_INFORMATIVE = ("version", "status")


def check_may_edit(protocol: Protocol, by: StaffMember) -> None:
    """Only a party's information-governance lead changes a draft, and only a draft changes."""
    if by.role != Role.IG_LEAD or by.agency_id not in set(protocol.parties.values_list("pk", flat=True)):
        raise NotPermitted("Only the information-governance lead of a party can change this protocol.")
    if protocol.status != ProtocolStatus.DRAFT:
        raise InvalidInput(
            "Only a draft can be changed: start the next version from the version in force, and change that."
        )


def document_of(draft: Protocol) -> dict[str, Any]:
    """The draft as the YAML import reads it: the structure every editor form changes one part of."""
    document = yaml_format.protocol_data(draft)
    for key in _INFORMATIVE:
        document.pop(key, None)
    return document


def with_details(document: dict[str, Any], details: dict[str, Any]) -> dict[str, Any]:
    """`document` with its top-level fields (title, parties, purposes, gateways, dates...) replaced."""
    changed = copy.deepcopy(document)
    changed.update(details)
    return changed


def with_clause(document: dict[str, Any], number: int | None, clause: dict[str, Any]) -> dict[str, Any]:
    """`document` with clause `number` replaced by `clause`, or `clause` added at the end (None)."""
    changed = copy.deepcopy(document)
    clauses = changed.setdefault("clauses", [])
    if number is None:
        clauses.append(clause)
    else:
        clauses[number - 1] = clause
    return changed


def without_clause(document: dict[str, Any], number: int) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    del changed["clauses"][number - 1]
    return changed


def clause_document(document: dict[str, Any], number: int) -> dict[str, Any] | None:
    clauses = document.get("clauses") or []
    return clauses[number - 1] if 1 <= number <= len(clauses) else None


@transaction.atomic
def edit_draft(draft: Protocol, document: dict[str, Any], *, by: StaffMember, change: str) -> Protocol:
    """Replace the draft's content with `document`, validated whole as an import is.

    Bad input raises yaml_format.ProtocolFileInvalid and changes nothing. Approvals given so far
    lapse (they approved something else), open requests for changes are answered, and the parties
    whose approval lapsed or who asked for changes are told the draft awaits them again.
    """
    draft = Protocol.objects.select_for_update().get(pk=draft.pk)
    check_may_edit(draft, by)
    document = {key: value for key, value in document.items() if key not in _INFORMATIVE}
    if document.get("reference") != draft.reference:
        raise InvalidInput("The reference of a protocol stays the same from version to version.")
    spec = yaml_format.validate(document)
    lapsed = set(draft.approvals.values_list("agency_id", flat=True))
    answered = set(draft.change_requests.filter(answered_at__isnull=True).values_list("agency_id", flat=True))
    draft.change_requests.filter(answered_at__isnull=True).update(answered_at=timezone.now())
    draft = services.store_draft(spec, by=by)
    services.on_ledger(Action.PROTOCOL_EDITED, draft, by=by, change=change)
    to_tell = draft.parties.filter(pk__in=lapsed | answered)
    services.tell_leads(
        to_tell,
        draft,
        message=f"{draft.title}: version {draft.version} was changed ({change}) and waits for your "
        "agency's approval again.",
        reason="protocol draft changed",
        by=by,
    )
    return draft


@transaction.atomic
def ask_for_changes(draft: Protocol, *, by: StaffMember, comments: str) -> ChangeRequest:
    """Instead of approving, say what must change: the drafter is told, and reads the comments."""
    comments = (comments or "").strip()
    if not comments:
        raise InvalidInput(
            "Say what should change, so that the drafter knows what to do.",
            field_errors={"comments": "Enter what should change before your agency can approve"},
        )
    draft = Protocol.objects.select_for_update().get(pk=draft.pk)
    if by.role != Role.IG_LEAD or by.agency_id not in set(draft.parties.values_list("pk", flat=True)):
        raise NotPermitted("Only the information-governance lead of a party can ask for changes.")
    agency = by.agency
    assert agency is not None  # a party's, checked above
    if draft.status != ProtocolStatus.DRAFT:
        raise InvalidInput("Only a draft can be changed, so only a draft can have changes asked for.")
    if draft.approvals.filter(agency_id=by.agency_id).exists():
        raise InvalidInput(f"{agency.name} has already approved this version.")
    request = ChangeRequest.objects.create(
        protocol=draft, agency_id=by.agency_id, asked_by=by, comments=comments
    )
    services.on_ledger(Action.PROTOCOL_CHANGES_ASKED, draft, by=by, agency=agency.code)
    drafter = draft.created_by
    if drafter is not None and drafter.pk != by.pk:
        recipients = [drafter]
    else:
        recipients = list(
            StaffMember.objects.filter(agency=draft.owner_agency, role=Role.IG_LEAD).exclude(pk=by.pk)
        )
    from django.urls import reverse

    from iomshare.alerts.services import notify  # alerts builds on protocols: imported when used

    notify(
        recipients,
        message=f"{agency.name} asked for changes to {draft.title}, version {draft.version}.",
        link=reverse("protocols:detail", args=[draft.pk]),
        reason="changes asked to a protocol draft",
        by=by,
    )
    return request
