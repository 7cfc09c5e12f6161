"""Reading protocols: lists and pages for people, and the in-force clauses for the sharing decision."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from iomshare.partnership.models import Agency, Role, StaffMember
from iomshare.protocols import facts
from iomshare.protocols.models import Approval, ChangeRequest, Clause, Protocol, ProtocolStatus, Purpose
from iomshare.protocols.rules import ClauseRule


def _with_clauses(query: QuerySet[Protocol]) -> QuerySet[Protocol]:
    return query.select_related("owner_agency").prefetch_related(
        "parties",
        "purposes",
        "legal_gateways",
        Prefetch(
            "clauses",
            queryset=Clause.objects.select_related("sharing_agency").prefetch_related(
                "categories", "recipient_agencies"
            ),
        ),
        Prefetch("approvals", queryset=Approval.objects.select_related("agency", "approved_by")),
        Prefetch("change_requests", queryset=ChangeRequest.objects.select_related("agency", "asked_by")),
    )


def protocols_in_force(*, on: dt.date | None = None) -> list[Protocol]:
    """Active protocol versions not past their end date on `on`, with everything the decision needs."""
    day = on or timezone.localdate()
    query = Protocol.objects.filter(status=ProtocolStatus.ACTIVE).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=day)
    )
    return list(_with_clauses(query).order_by("reference"))


def rules_of(protocol: Protocol) -> list[ClauseRule]:
    """The clauses of one protocol version as plain rules (used for in-force and draft versions alike)."""
    parties = {agency.pk for agency in protocol.parties.all()}
    purposes = frozenset(p.code for p in protocol.purposes.all())
    rules = []
    for clause in protocol.clauses.all():
        named = {agency.pk for agency in clause.recipient_agencies.all()}
        recipients = (named or parties) - {clause.sharing_agency_id}
        rules.append(
            ClauseRule(
                policy_id=clause.policy_id,
                protocol_id=protocol.pk,
                protocol_title=protocol.title,
                purposes=purposes,
                sharing_agency_id=clause.sharing_agency_id,
                recipient_agency_ids=frozenset(recipients),
                categories=frozenset(c.code for c in clause.categories.all()),
                max_sensitivity=clause.max_sensitivity,
                recipient_roles=frozenset(clause.recipient_roles),
                volunteers_may_receive=clause.volunteers_may_receive,
                required_courses=tuple(sorted(clause.required_courses)),
                minimum_assurance=clause.minimum_assurance,
                consent_needed=clause.consent_needed,
                may_disclose_existence=clause.may_disclose_existence,
                redacted_fields=tuple(sorted(clause.redacted_fields)),
                retention_days=protocol.retention_days,
            )
        )
    return rules


_RULES_CACHE: dict[tuple, list[ClauseRule]] = {}


def rules_in_force(*, on: dt.date | None = None) -> list[ClauseRule]:
    """Every clause of every protocol in force on `on`.

    Cached per process on the day and a fingerprint of the active versions read on every call (ids,
    status change times, end dates), so a suspension or expiry elsewhere takes effect at once.
    Clauses themselves cannot change once a version leaves draft.
    """
    day = on or timezone.localdate()
    key = (day, facts.active_protocol_versions())
    rules = _RULES_CACHE.get(key)
    if rules is None:
        rules = [rule for protocol in protocols_in_force(on=day) for rule in rules_of(protocol)]
        _RULES_CACHE.clear()
        _RULES_CACHE[key] = rules
    return list(rules)


def purpose_by_code(code: str) -> Purpose | None:
    return Purpose.objects.filter(code=code).first()


def protocol_list() -> list[Protocol]:
    """Every protocol's latest version, for the protocols page (older versions are on each page)."""
    latest: dict[str, Protocol] = {}
    for protocol in (
        Protocol.objects.select_related("owner_agency")
        .prefetch_related("parties")
        .order_by("reference", "-version")
    ):
        latest.setdefault(protocol.reference, protocol)
    return sorted(latest.values(), key=lambda p: p.title.lower())


def protocol_page(protocol_id: int) -> Protocol | None:
    return _with_clauses(Protocol.objects.filter(pk=protocol_id)).first()


def versions_of(reference: str) -> list[Protocol]:
    """Every version of a protocol, newest first: none is ever deleted."""
    return list(
        Protocol.objects.filter(reference=reference).select_related("created_by").order_by("-version")
    )


def version_in_force(reference: str) -> Protocol | None:
    return _with_clauses(Protocol.objects.filter(reference=reference, status=ProtocolStatus.ACTIVE)).first()


@dataclass(frozen=True)
class PartyApproval:
    """Where one party stands on approving a protocol version."""

    agency: Agency
    approval: Approval | None

    @property
    def is_approved(self) -> bool:
        return self.approval is not None


def approvals_by_party(protocol: Protocol) -> list[PartyApproval]:
    given = {approval.agency_id: approval for approval in protocol.approvals.all()}
    return [PartyApproval(agency, given.get(agency.pk)) for agency in protocol.parties.all()]


def may_approve(protocol: Protocol, viewer: StaffMember) -> bool:
    """Whether `viewer` is a party's information-governance lead whose approval is still missing."""
    if protocol.status != ProtocolStatus.DRAFT or viewer.role != Role.IG_LEAD:
        return False
    parties: Iterable[Agency] = protocol.parties.all()
    if viewer.agency_id not in {agency.pk for agency in parties}:
        return False
    return not any(approval.agency_id == viewer.agency_id for approval in protocol.approvals.all())


def drafts_awaiting_approval(agency_id: int) -> QuerySet[Protocol]:
    """Drafts `agency_id` is party to that wait for its approval: neither approved nor sent back."""
    return (
        Protocol.objects.filter(status=ProtocolStatus.DRAFT, parties=agency_id)
        .exclude(approvals__agency_id=agency_id)
        .exclude(
            Exists(
                ChangeRequest.objects.filter(
                    protocol=OuterRef("pk"), agency_id=agency_id, answered_at__isnull=True
                )
            )
        )
        .order_by("title")
    )


_CLAUSE_ID = re.compile(r"^protocol:(?P<reference>[\w-]+):v(?P<version>\d+):clause:(?P<number>\d+)$")
_REQUEST_ID = re.compile(r"^information-request:(?P<number>\d+)$")


def clause_labels(clause_ids: Iterable[str]) -> dict[str, str]:
    """Plain names for the clause references the ledger records ("Core protocol (version 1),
    clause 3"; "a one-off decision on request 12"), so no page shows a person the raw reference."""
    ids = set(clause_ids)
    wanted = {(m["reference"], int(m["version"])) for i in ids if (m := _CLAUSE_ID.match(i))}
    titles = {
        (reference, version): title
        for reference, version, title in Protocol.objects.filter(
            reference__in={reference for reference, _version in wanted}
        ).values_list("reference", "version", "title")
        if (reference, version) in wanted
    }
    labels = {}
    for clause_id in ids:
        if match := _CLAUSE_ID.match(clause_id):
            title = titles.get((match["reference"], int(match["version"])), "A protocol")
            labels[clause_id] = f"{title} (version {match['version']}), clause {match['number']}"
        elif match := _REQUEST_ID.match(clause_id):
            labels[clause_id] = f"a one-off decision on request {match['number']}"
        elif clause_id == "own-agency":
            labels[clause_id] = "their own agency's information"
        else:
            labels[clause_id] = clause_id.replace("_", " ").replace(":", " ")
    return labels


def purpose_names() -> dict[str, str]:
    """Every purpose's name by its code."""
    return dict(Purpose.objects.values_list("code", "name"))


@dataclass(frozen=True)
class SuggestedGateways:
    """The legal gateways the protocols in force rely on for one purpose between two agencies."""

    gateways: list
    protocol_titles: list[str]


def gateways_for(purpose_code: str, agency_ids: Iterable[int]) -> SuggestedGateways:
    """What a request for `purpose_code` can rely on: the gateways of the protocols in force that
    cover the purpose and have all of `agency_ids` as parties (a request form pre-selects them)."""
    day = timezone.localdate()
    query = Protocol.objects.filter(status=ProtocolStatus.ACTIVE, purposes__code=purpose_code).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=day)
    )
    for agency_id in agency_ids:
        query = query.filter(parties=agency_id)
    protocols = list(query.distinct().prefetch_related("legal_gateways").order_by("title"))
    gateways = {g.code: g for protocol in protocols for g in protocol.legal_gateways.all()}
    return SuggestedGateways(
        gateways=sorted(gateways.values(), key=lambda g: g.title),
        protocol_titles=[protocol.title for protocol in protocols],
    )
