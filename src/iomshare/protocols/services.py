"""Business actions on protocols: drafting, approving, activating, suspending, expiring, new versions.

A version's clauses never change once it leaves draft: a change is a new version, approved again by
every party. Activation compiles the version to Cedar and refuses it unless the policies validate
against the schema (invariant 9), and supersedes the version it replaces (kept, never deleted).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from iomshare.errors import InvalidInput, NotPermitted
from iomshare.ledger import services as ledger
from iomshare.ledger.models import Action
from iomshare.partnership.models import Agency, Role, StaffMember
from iomshare.protocols import cedar
from iomshare.protocols.models import (
    AGREEMENT_FIELDS,
    Approval,
    Clause,
    LegalGateway,
    Protocol,
    ProtocolStatus,
    Purpose,
)
from iomshare.protocols.selectors import rules_of
from iomshare.protocols.yaml_format import ProtocolSpec
from iomshare.records.models import Category

ROLES_THAT_DRAFT = {Role.IG_LEAD, Role.PARTNERSHIP_MANAGER, Role.ADMIN}


def _party_codes(protocol: Protocol) -> set[str]:
    return set(protocol.parties.values_list("code", flat=True))


def _check_may_draft(by: StaffMember | None, party_codes: set[str]) -> None:
    if by is None:  # the command line: whoever runs it administers the installation
        return
    if by.role not in ROLES_THAT_DRAFT:
        raise NotPermitted(
            "Only an information-governance lead or the partnership manager can draft a protocol."
        )
    if by.role == Role.IG_LEAD and (by.agency is None or by.agency.code not in party_codes):
        raise NotPermitted(
            "An information-governance lead can draft only protocols their agency is party to."
        )


def on_ledger(action: str, protocol: Protocol, *, by: StaffMember | None, **details) -> None:
    """One ledger entry for a step in a protocol's life (the command line's steps are its own log)."""
    if by is not None:
        ledger.record(
            action,
            by=by,
            details={"protocol": protocol.reference, "version": protocol.version, "title": protocol.title}
            | details,
        )


def tell_leads(agencies, protocol: Protocol, *, message: str, reason: str, by: StaffMember | None) -> None:
    """Notify the information-governance leads of `agencies` (except `by`) about `protocol`."""
    from django.urls import reverse

    from iomshare.alerts.services import notify  # alerts builds on protocols: imported when used

    leads = StaffMember.objects.filter(agency__in=list(agencies), role=Role.IG_LEAD, is_active=True)
    if by is not None:
        leads = leads.exclude(pk=by.pk)
    notify(leads, message=message, link=reverse("protocols:detail", args=[protocol.pk]), reason=reason, by=by)


def awaiting_parties_message(protocol: Protocol) -> str:
    return f"{protocol.title}: version {protocol.version} is a draft waiting for your agency's approval."


@transaction.atomic
def draft_protocol(spec: ProtocolSpec, *, by: StaffMember | None) -> Protocol:
    """Store a validated spec (an imported file) as the draft version of its protocol.

    A protocol has at most one draft: importing again replaces the draft's content and withdraws
    the approvals it had gathered, since they approved something else. Each party's IG lead is told.
    """
    draft = store_draft(spec, by=by)
    on_ledger(Action.PROTOCOL_DRAFTED, draft, by=by, source="imported file")
    if by is not None:
        tell_leads(
            draft.parties.all(),
            draft,
            message=awaiting_parties_message(draft),
            reason="protocol draft awaiting approval",
            by=by,
        )
    return draft


def store_draft(spec: ProtocolSpec, *, by: StaffMember | None) -> Protocol:
    """Write `spec` over the draft of its protocol (or a new draft); approvals given so far lapse."""
    _check_may_draft(by, set(spec.parties))
    agencies = {agency.code: agency for agency in Agency.objects.filter(code__in=spec.parties)}
    draft = (
        Protocol.objects.select_for_update()
        .filter(reference=spec.reference, status=ProtocolStatus.DRAFT)
        .first()
    )
    if draft is None:
        latest = Protocol.objects.filter(reference=spec.reference).aggregate(v=Max("version"))["v"] or 0
        draft = Protocol(reference=spec.reference, version=latest + 1, created_by=by)
    else:
        draft.approvals.all().delete()
        draft.clauses.all().delete()
    draft.title = spec.title
    draft.summary = spec.summary
    draft.owner_agency = agencies[spec.owner]
    draft.review_on = spec.review_on
    draft.ends_on = spec.ends_on
    draft.retention_days = spec.retention_days
    draft.may_disclose_existence = spec.may_disclose_existence
    for name in AGREEMENT_FIELDS:
        setattr(draft, name, spec.agreement.get(name, ""))
    draft.save()
    draft.parties.set(agencies.values())
    draft.purposes.set(Purpose.objects.filter(code__in=spec.purposes))
    draft.legal_gateways.set(LegalGateway.objects.filter(code__in=spec.legal_gateways))
    categories = {c.code: c for c in Category.objects.all()}
    for number, item in enumerate(spec.clauses, start=1):
        clause = Clause.objects.create(
            protocol=draft,
            number=number,
            sharing_agency=agencies[item.shared_by],
            max_sensitivity=item.max_sensitivity,
            recipient_roles=list(item.recipient_roles),
            volunteers_may_receive=item.volunteers_may_receive,
            required_courses=list(item.required_courses),
            minimum_assurance=item.minimum_assurance,
            consent_needed=item.consent_needed,
            may_disclose_existence=item.may_disclose_existence,
            redacted_fields=list(item.redacted_fields),
            explanation=item.explanation,
        )
        clause.categories.set([categories[code] for code in item.categories])
        clause.recipient_agencies.set([agencies[code] for code in item.recipients])
    return draft


def _locked(protocol: Protocol) -> Protocol:
    return Protocol.objects.select_for_update().get(pk=protocol.pk)


@transaction.atomic
def approve_protocol(protocol: Protocol, *, by: StaffMember) -> Approval:
    """Record `by`'s agency's approval; the protocol becomes active once every party has approved."""
    if by.role != Role.IG_LEAD:
        raise NotPermitted("Only an information-governance lead can approve a protocol.")
    protocol = _locked(protocol)
    if protocol.status != ProtocolStatus.DRAFT:
        raise InvalidInput(
            f"Only a draft can be approved: this version is {protocol.get_status_display().lower()}."
        )
    if by.agency_id not in set(protocol.parties.values_list("pk", flat=True)):
        raise NotPermitted("Your agency is not a party to this protocol, so it cannot approve it.")
    agency = by.agency
    assert agency is not None  # a party's, checked above
    if protocol.approvals.filter(agency_id=by.agency_id).exists():
        raise InvalidInput(f"{agency.name} has already approved this version.")
    approval = Approval.objects.create(protocol=protocol, agency_id=by.agency_id, approved_by=by)
    protocol.change_requests.filter(agency_id=by.agency_id, answered_at__isnull=True).update(
        answered_at=approval.approved_at
    )
    on_ledger(Action.PROTOCOL_APPROVED, protocol, by=by, agency=agency.code)
    if not _parties_yet_to_approve(protocol):
        activate(protocol, by=by)
    return approval


def _parties_yet_to_approve(protocol: Protocol) -> list[Agency]:
    approved = set(protocol.approvals.values_list("agency_id", flat=True))
    return [agency for agency in protocol.parties.order_by("name") if agency.pk not in approved]


def policy_problems(protocol: Protocol) -> list[str]:
    """Why this version's Cedar policies would not validate against the schema (empty if they do)."""
    try:
        policies = cedar.compile_rules(rules_of(protocol))
    except cedar.PolicyCompileError as error:
        return [str(error)]
    if not policies.strip():
        return ["The protocol has no clauses, so it would share nothing."]
    return cedar.schema_errors(policies)


@transaction.atomic
def activate(protocol: Protocol, *, by: StaffMember) -> Protocol:
    """Put a fully approved draft (or a suspended version) in force, replacing the active version.

    Refused unless the version's policies validate against the Cedar schema: a version that cannot
    be enforced exactly as written must never be in force.
    """
    protocol = _locked(protocol)
    if protocol.status == ProtocolStatus.DRAFT:
        missing = _parties_yet_to_approve(protocol)
        if missing:
            names = ", ".join(agency.name for agency in missing)
            raise InvalidInput(f"This version cannot become active until every party approves it: {names}.")
    elif protocol.status == ProtocolStatus.SUSPENDED:
        if by.role != Role.IG_LEAD or by.agency_id != protocol.owner_agency_id:
            raise NotPermitted("Only the owner agency's information-governance lead can lift a suspension.")
    else:
        raise InvalidInput(
            f"A version that is {protocol.get_status_display().lower()} cannot be made active."
        )
    if protocol.ends_on is not None and protocol.ends_on < timezone.localdate():
        raise InvalidInput("This version's end date has passed: draft a new version with a later end date.")
    problems = policy_problems(protocol)
    if problems:
        raise InvalidInput(
            "This version cannot become active: its sharing rules do not validate. " + "; ".join(problems)
        )
    now = timezone.now()
    Protocol.objects.filter(reference=protocol.reference, status=ProtocolStatus.ACTIVE).exclude(
        pk=protocol.pk
    ).update(status=ProtocolStatus.SUPERSEDED, status_changed_at=now, status_changed_by=by)
    protocol.status = ProtocolStatus.ACTIVE
    protocol.status_reason = ""
    protocol.activated_at = protocol.activated_at or now
    protocol.status_changed_at = now
    protocol.status_changed_by = by
    protocol.save()
    on_ledger(Action.PROTOCOL_IN_FORCE, protocol, by=by)
    return protocol


def _check_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(
            "Give the reason, so that the other parties know why.",
            field_errors={"reason": "Enter the reason"},
        )
    return reason


@transaction.atomic
def suspend(protocol: Protocol, *, by: StaffMember, reason: str) -> Protocol:
    """Stop sharing under an active version at once; any party's IG lead may, pending a review."""
    reason = _check_reason(reason)
    protocol = _locked(protocol)
    if by.role != Role.IG_LEAD or by.agency_id not in set(protocol.parties.values_list("pk", flat=True)):
        raise NotPermitted("Only the information-governance lead of a party can suspend a protocol.")
    if protocol.status != ProtocolStatus.ACTIVE:
        raise InvalidInput("Only an active protocol can be suspended.")
    protocol.status = ProtocolStatus.SUSPENDED
    protocol.status_reason = reason
    protocol.status_changed_at = timezone.now()
    protocol.status_changed_by = by
    protocol.save()
    on_ledger(Action.PROTOCOL_SUSPENDED, protocol, by=by, reason=reason)
    return protocol


@transaction.atomic
def expire(protocol: Protocol, *, by: StaffMember, reason: str) -> Protocol:
    """End an active or suspended version for good (the owner's IG lead terminates the agreement)."""
    reason = _check_reason(reason)
    protocol = _locked(protocol)
    if by.role != Role.IG_LEAD or by.agency_id != protocol.owner_agency_id:
        raise NotPermitted("Only the owner agency's information-governance lead can end a protocol.")
    if protocol.status not in {ProtocolStatus.ACTIVE, ProtocolStatus.SUSPENDED}:
        raise InvalidInput("Only an active or suspended protocol can be ended.")
    protocol.status = ProtocolStatus.EXPIRED
    protocol.status_reason = reason
    protocol.status_changed_at = timezone.now()
    protocol.status_changed_by = by
    protocol.save()
    on_ledger(Action.PROTOCOL_ENDED, protocol, by=by, reason=reason)
    return protocol


@transaction.atomic
def new_version(protocol: Protocol, *, by: StaffMember) -> Protocol:
    """A draft copy of `protocol` as the next version, for the parties to change and approve."""
    _check_may_draft(by, _party_codes(protocol))
    family = Protocol.objects.select_for_update().filter(reference=protocol.reference)
    if family.filter(status=ProtocolStatus.DRAFT).exists():
        raise InvalidInput("A draft of the next version already exists: change that draft instead.")
    latest = family.aggregate(v=Max("version"))["v"]
    source = _locked(protocol)
    copy = Protocol.objects.get(pk=source.pk)
    copy.pk = None
    copy.version = latest + 1
    copy.status = ProtocolStatus.DRAFT
    copy.status_reason = ""
    copy.created_by = by
    copy.created_at = timezone.now()
    copy.activated_at = None
    copy.status_changed_at = None
    copy.status_changed_by = None
    try:
        copy.save(force_insert=True)
    except IntegrityError as error:  # a concurrent new version won the race
        raise InvalidInput("Another version was drafted at the same moment: reload the page.") from error
    copy.parties.set(source.parties.all())
    copy.purposes.set(source.purposes.all())
    copy.legal_gateways.set(source.legal_gateways.all())
    for clause in source.clauses.prefetch_related("categories", "recipient_agencies"):
        categories = list(clause.categories.all())
        recipients = list(clause.recipient_agencies.all())
        clause.pk = None
        clause.protocol = copy
        clause.save(force_insert=True)
        clause._prefetched_objects_cache = {}  # type: ignore[attr-defined]  # Django's own cache; else set() would compare with the source's relations
        clause.categories.set(categories)
        clause.recipient_agencies.set(recipients)
    on_ledger(Action.PROTOCOL_DRAFTED, copy, by=by, source=f"copy of version {source.version}")
    tell_leads(
        copy.parties.all(),
        copy,
        message=awaiting_parties_message(copy),
        reason="protocol draft awaiting approval",
        by=by,
    )
    return copy
