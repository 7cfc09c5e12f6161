"""Business actions on referrals to another agency's service: offer a service, refer, decide, complete.

Web pages and the API call these alike. Each change is on the ledger (case work, naming the items
sent and the clauses relied on) and notified to the other side. Bad input raises InvalidInput naming
every field at fault, and changes nothing. Items pass the one door for the receiver (records.selectors.
onward) before they may be sent; an item the protocols would not let the receiver see is refused
with the reason.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from iomshare.alerts import services as alerts
from iomshare.errors import InvalidInput, NotFound, NotPermitted
from iomshare.ledger import services as ledger
from iomshare.ledger.models import Action, Outcome
from iomshare.partnership.models import Role, StaffMember
from iomshare.partnership.selectors import who_to_ask
from iomshare.people.models import Person
from iomshare.people.visibility import is_volunteer, may_know
from iomshare.protocols.models import Purpose
from iomshare.records.models import Category
from iomshare.records.selectors.onward import OnwardCheck, check_onward_sharing
from iomshare.service_referrals.models import (
    ReferralStatus,
    ServiceKind,
    ServiceOffer,
    ServiceReferral,
    SharedItem,
)

REFERRER_ROLES = frozenset({Role.PRACTITIONER, Role.IG_LEAD, Role.PARTNERSHIP_MANAGER, Role.SYSTEM})
DECIDER_ROLES = frozenset({Role.PRACTITIONER, Role.IG_LEAD, Role.PARTNERSHIP_MANAGER, Role.SYSTEM})
MANAGER_ROLES = frozenset({Role.IG_LEAD, Role.PARTNERSHIP_MANAGER})
MIN_REASON = 10
MAX_TEXT = 5000
MAX_ITEMS = 50


class Decision:
    ACCEPT = "accept"
    DECLINE = "decline"
    COMPLETE = "complete"
    ALL = (ACCEPT, DECLINE, COMPLETE)


def _link(referral: ServiceReferral) -> str:
    return reverse("service_referrals:referral", args=[referral.pk])


def _name(staff: StaffMember) -> str:
    return staff.get_full_name() or staff.username


def _text(value: str, field: str, errors: dict[str, str], *, missing: str, short: str) -> str:
    value = (value or "").strip()
    if not value:
        errors[field] = missing
    elif len(value) < MIN_REASON:
        errors[field] = f"{short} in at least {MIN_REASON} characters"
    elif len(value) > MAX_TEXT:
        errors[field] = f"Keep it to {MAX_TEXT} characters or fewer"
    return value


def _record(
    referral: ServiceReferral, change: str, *, by: StaffMember, items=(), clauses=(), **details
) -> None:
    ledger.record(
        Action.CASE_WORK,
        by=by,
        person=referral.person_id,
        items=list(items),
        purpose=referral.purpose.code,
        clauses=sorted(set(clauses)),
        outcome=Outcome.SUCCEEDED,
        details={
            "service_referral": referral.pk,
            "change": change,
            "service": referral.service.name,
            "referring_agency": referral.referring_agency.code,
            "receiving_agency": referral.receiving_agency.code,
            **details,
        },
    )


def _agency_name(by: StaffMember) -> str:
    assert by.agency is not None  # every caller refuses a member of no agency first
    return by.agency.name


def _shared_item(referral: ServiceReferral, check: OnwardCheck) -> SharedItem:
    assert check.holding_agency_id is not None  # a check that may send names the item's agency
    return SharedItem(
        referral=referral,
        item_id=check.item_id,
        holding_agency_id=check.holding_agency_id,
        category_id=_category_id(check.category_code),
        clause=check.clause,
    )


# --- services offered -----------------------------------------------------------------------------


def offer_service(
    *, by: StaffMember, name: str, kind: str, purpose: str, contact: StaffMember | None, description: str = ""
) -> ServiceOffer:
    """Offer one of `by`'s agency's services to the partnership: its managers only."""
    if by.agency_id is None or by.role not in MANAGER_ROLES or is_volunteer(by):
        raise NotPermitted("Only your agency's information-governance lead or manager can offer a service.")
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = "Enter the name of the service"
    elif len(name) > 120:
        errors["name"] = "Keep the name to 120 characters or fewer"
    elif ServiceOffer.objects.filter(agency_id=by.agency_id, name__iexact=name).exists():
        errors["name"] = f"{_agency_name(by)} already offers a service called '{name}'"
    if kind not in ServiceKind.values:
        errors["kind"] = "Choose the kind of service"
    purpose_row = Purpose.objects.filter(code=purpose).first() if purpose else None
    if purpose_row is None:
        errors["purpose"] = "Choose the purpose referrals to it are made for"
    if contact is None or contact.agency_id != by.agency_id or not contact.is_active:
        errors["contact"] = f"Choose who at {_agency_name(by)} receives referrals"
    elif is_volunteer(contact) or contact.role == Role.SYSTEM:
        errors["contact"] = (
            "Choose a member of staff, not a volunteer or a system account, to receive referrals"
        )
    if errors:
        raise InvalidInput("The service was not added: correct the problems listed.", field_errors=errors)
    assert purpose_row is not None and contact is not None  # else a problem was named above
    with transaction.atomic():
        offer = ServiceOffer.objects.create(
            agency_id=by.agency_id,
            name=name,
            kind=kind,
            purpose=purpose_row,
            contact=contact,
            description=(description or "").strip()[:MAX_TEXT],
        )
        ledger.record(
            Action.CASE_WORK, by=by, details={"service_offer": offer.pk, "change": "offered", "name": name}
        )
    return offer


def close_service(offer: ServiceOffer, *, by: StaffMember) -> ServiceOffer:
    """Stop taking referrals to a service (those already sent carry on)."""
    if by.agency_id != offer.agency_id or by.role not in MANAGER_ROLES:
        raise NotPermitted(f"Only {offer.agency.name}'s managers can close this service.")
    offer.is_open = False
    offer.save(update_fields=["is_open"])
    ledger.record(Action.CASE_WORK, by=by, details={"service_offer": offer.pk, "change": "closed"})
    return offer


# --- referring ------------------------------------------------------------------------------------


def _parse_ids(values: Iterable) -> tuple[list[uuid.UUID], list[str]]:
    ids, bad = [], []
    for value in values:
        try:
            ids.append(value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)))
        except ValueError:
            bad.append(str(value)[:40])
    return list(dict.fromkeys(ids)), bad


def _check_referrer(by: StaffMember, person: Person) -> None:
    if by.agency_id is None:
        raise NotPermitted("Your account is not linked to an agency, so it cannot refer anyone.")
    if is_volunteer(by) or by.role not in REFERRER_ROLES:
        raise NotPermitted(
            "Volunteers cannot refer people to services: ask a member of staff at your agency."
            if is_volunteer(by)
            else "Your role cannot refer people to services."
        )
    if not may_know(by, person.pk):
        raise NotFound("There is no such person that you may see.")


def refer_to_service(
    *, by: StaffMember, person: Person, service: ServiceOffer | None, reason: str, item_ids: Iterable = ()
) -> ServiceReferral:
    """Refer `person` to another agency's `service`, for its purpose, sending the chosen items.

    Each item must pass the door for the service's contact for that purpose; any that would not is
    refused with the reason, and nothing is sent.
    """
    _check_referrer(by, person)
    errors: dict[str, str] = {}
    if service is None:
        raise InvalidInput("Choose a service.", field_errors={"service": "Choose the service to refer to"})
    if service.agency_id == by.agency_id:
        errors["service"] = "This is your own agency's service: refer to another agency's service"
    elif not service.is_open:
        errors["service"] = f"{service.name} is not taking referrals now"
    reason = _text(
        reason, "reason", errors, missing="Explain why the service fits the person", short="Explain why"
    )
    ids, bad = _parse_ids(item_ids)
    if bad:
        errors["item_ids"] = f"'{bad[0]}' is not an item id"
    elif len(ids) > MAX_ITEMS:
        errors["item_ids"] = f"Send {MAX_ITEMS} items or fewer"
    purpose = service.purpose.code
    if not errors and not may_know(service.contact, person.pk, purpose):
        errors["service"] = (
            f"{service.agency.name} may not know of this person for {service.purpose.name.lower()} under the "
            "protocols in force, so it cannot receive a referral: ask your information-governance lead, "
            f"{who_to_ask(by.agency_id, Role.IG_LEAD)}"
        )
    checks = [] if errors else check_onward_sharing(by, service.contact, person, ids, purpose=purpose)
    refused = [check for check in checks if not check.may_send]
    if refused:
        names = dict(Category.objects.values_list("code", "name"))
        errors["item_ids"] = " ".join(
            f"The {names.get(check.category_code, 'chosen').lower()} item {check.item_id} cannot be sent: "
            f"{check.refusal}"
            for check in refused
        )
    if errors:
        raise InvalidInput("The referral was not sent: correct the problems listed.", field_errors=errors)
    assert by.agency_id is not None  # _check_referrer refuses a member of no agency
    with transaction.atomic():
        referral = ServiceReferral.objects.create(
            person=person,
            service=service,
            referred_by=by,
            referring_agency_id=by.agency_id,
            receiving_agency_id=service.agency_id,
            purpose=service.purpose,
            reason=reason,
        )
        SharedItem.objects.bulk_create(_shared_item(referral, check) for check in checks)
        _record(
            referral,
            "sent",
            by=by,
            items=[check.item_id for check in checks],
            clauses=[check.clause for check in checks if check.clause != "own"],
        )
        alerts.notify(
            _receivers(referral),
            message=(
                f"{_name(by)} ({_agency_name(by)}) referred {person.full_name} to {service.name} "
                f"for {service.purpose.name.lower()}: referral {referral.number}, "
                f"{len(checks)} item{'s' if len(checks) != 1 else ''} shared."
            ),
            link=_link(referral),
            reason="service_referral_sent",
            person=person,
            by=by,
        )
    return referral


def _category_id(code: str) -> int:
    return Category.objects.only("pk").get(code=code).pk


def _receivers(referral: ServiceReferral) -> list[StaffMember]:
    return [referral.service.contact] if referral.service.contact.is_active else []


# --- deciding -------------------------------------------------------------------------------------

NEXT_STATUS = {
    Decision.ACCEPT: (ReferralStatus.SENT, ReferralStatus.ACCEPTED),
    Decision.DECLINE: (ReferralStatus.SENT, ReferralStatus.DECLINED),
    Decision.COMPLETE: (ReferralStatus.ACCEPTED, ReferralStatus.COMPLETED),
}


def may_decide(by: StaffMember, referral: ServiceReferral) -> bool:
    """Staff (not volunteers) of the receiving agency who may know the person decide its referrals."""
    return (
        by.agency_id == referral.receiving_agency_id
        and by.role in DECIDER_ROLES
        and not is_volunteer(by)
        and may_know(by, referral.person_id, referral.purpose.code)
    )


def decide_referral(
    referral: ServiceReferral, *, by: StaffMember, decision: str, reason: str = ""
) -> ServiceReferral:
    """Accept, decline with a reason, or complete a referral: the receiving agency's staff only."""
    if not may_decide(by, referral):
        raise NotPermitted(f"Only {referral.receiving_agency.name}'s staff can decide this referral.")
    if decision not in Decision.ALL:
        raise InvalidInput(
            "Choose a decision.", field_errors={"decision": "Choose accept, decline or complete"}
        )
    errors: dict[str, str] = {}
    if decision == Decision.DECLINE:
        reason = _text(
            reason, "reason", errors, missing="Enter the reason for declining", short="Explain the decision"
        )
    else:
        reason = (reason or "").strip()
        if len(reason) > MAX_TEXT:
            errors["reason"] = f"Keep it to {MAX_TEXT} characters or fewer"
    expected, new_status = NEXT_STATUS[decision]
    with transaction.atomic():
        locked = ServiceReferral.objects.select_for_update().get(pk=referral.pk)
        if locked.status != expected:
            errors["decision"] = (
                f"Referral {locked.number} is {locked.get_status_display().lower()}: "
                f"only a referral {ReferralStatus(expected).label.split(',')[0].lower()} can be "
                f"{'completed' if decision == Decision.COMPLETE else decision + 'ed'}"
            )
        if errors:
            raise InvalidInput(
                "The referral was not changed: correct the problems listed.", field_errors=errors
            )
        now = timezone.now()
        locked.status = new_status
        if decision == Decision.COMPLETE:
            locked.completed_by, locked.completed_at, locked.completion_note = by, now, reason
            fields = ["status", "completed_by", "completed_at", "completion_note"]
        else:
            locked.decided_by, locked.decided_at, locked.decision_reason = by, now, reason
            fields = ["status", "decided_by", "decided_at", "decision_reason"]
        locked.save(update_fields=fields)
        _record(locked, new_status, by=by, **({"reason": reason} if reason else {}))
        alerts.notify(
            [locked.referred_by] if locked.referred_by.is_active else [],
            message=(
                f"{locked.receiving_agency.name} {new_status} your referral {locked.number} of "
                f"{locked.person.full_name} to {locked.service.name}{': ' + reason if reason else '.'}"
            ),
            link=_link(locked),
            reason=f"service_referral_{new_status}",
            person=locked.person,
            by=by,
        )
    return locked
