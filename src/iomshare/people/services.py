"""Business actions on the IOM cohort: refer, select, allocate key workers, review, and leave.

Any partner agency refers a person; the selection panel (a partnership manager) accepts them onto
the cohort with a tier and a lead agency, or declines with a reason. Every change is kept as a
CohortChange (the history) and is on the ledger. Web pages, the API and imports call these alike;
bad input raises InvalidInput naming each field at fault, and changes nothing.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from iomshare.errors import InvalidInput, NotFound, NotPermitted
from iomshare.ledger import services as ledger
from iomshare.ledger.models import Action
from iomshare.partnership.models import Agency, Role, StaffMember
from iomshare.people.access_lists import may_see_person
from iomshare.people.models import (
    CohortChange,
    CohortChangeKind,
    CohortMembership,
    CohortReferral,
    ExitReason,
    Person,
    ReferralSource,
    ReferralStatus,
    Tier,
)
from iomshare.people.signals import cohort_changed

REFERRER_ROLES = frozenset({Role.PRACTITIONER, Role.IG_LEAD, Role.PARTNERSHIP_MANAGER, Role.SYSTEM})
KEY_WORKER_ROLES = frozenset({Role.PRACTITIONER, Role.VOLUNTEER})
MIN_REASON = 10
MAX_REASON = 5000
MAX_REVIEW_AHEAD = dt.timedelta(days=366)
DEFAULT_REVIEW_AFTER = dt.timedelta(days=91)  # the panel reviews each member about every quarter


def _date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _reason_error(reason: str, what: str) -> str | None:
    if not reason:
        return f"Enter {what}"
    if len(reason) < MIN_REASON:
        return f"Explain {what} in at least {MIN_REASON} characters"
    if len(reason) > MAX_REASON:
        return f"Keep {what} to {MAX_REASON} characters or fewer"
    return None


def _invalid(errors: dict[str, str], what: str) -> InvalidInput:
    return InvalidInput(f"{what}: correct the problems listed.", field_errors=errors)


def is_selection_panel(viewer: StaffMember) -> bool:
    """The selection panel's decisions are taken in iomshare by a partnership manager."""
    return viewer.is_authenticated and viewer.role == Role.PARTNERSHIP_MANAGER and not viewer.is_volunteer


def may_manage_membership(viewer: StaffMember, membership: CohortMembership) -> bool:
    """The panel, or staff (not volunteers) of the lead agency, allocate key workers and set reviews."""
    if is_selection_panel(viewer):
        return True
    return (
        viewer.is_authenticated
        and viewer.role in {Role.PRACTITIONER, Role.IG_LEAD}
        and not viewer.is_volunteer
        and viewer.agency_id == membership.lead_agency_id
    )


def _history(
    kind: str,
    *,
    by: StaffMember,
    person: Person,
    summary: str,
    reason: str = "",
    membership: CohortMembership | None = None,
    referral: CohortReferral | None = None,
) -> CohortChange:
    change = CohortChange.objects.create(
        person=person,
        membership=membership,
        referral=referral,
        kind=kind,
        by=by,
        summary=summary[:300],
        reason=reason,
    )
    ledger.record(
        Action.COHORT_CHANGED,
        by=by,
        person=person,
        details={
            "change": kind,
            "summary": change.summary,
            "reason": reason,
            "membership": membership.pk if membership else None,
            "referral": referral.pk if referral else None,
        },
    )
    cohort_changed.send(sender=CohortChange, change=change)
    return change


def _visible(person: Person, by: StaffMember) -> None:
    if not may_see_person(by, person.pk):
        raise NotFound("There is no such person that you may see.")


# --- referral -------------------------------------------------------------------------------------


def check_referral(*, by: StaffMember, person: Person, source: str, reason: str) -> str:
    """Raise unless `by` may refer `person` with this source and reason; the reason, tidied."""
    if by.agency_id is None:
        raise NotPermitted("Your account is not linked to an agency, so it cannot refer anyone.")
    if by.is_volunteer or by.role not in REFERRER_ROLES:
        raise NotPermitted(
            "Only staff of a partner agency can refer a person for the cohort; volunteers ask staff."
        )
    _visible(person, by)
    errors: dict[str, str] = {}
    if source not in ReferralSource.values:
        errors["source"] = "Choose how the person came to your attention"
    reason = (reason or "").strip()
    if problem := _reason_error(reason, "why the person should be in the cohort"):
        errors["reason"] = problem
    if CohortMembership.objects.current().filter(person=person).exists():
        errors["person"] = f"{person.full_name} is already in the cohort"
    elif CohortReferral.objects.filter(person=person, status=ReferralStatus.AWAITING_PANEL).exists():
        errors["person"] = f"{person.full_name} has already been referred and is waiting for the panel"
    if errors:
        raise _invalid(errors, "The referral was not made")
    return reason


@transaction.atomic
def refer_for_cohort(*, by: StaffMember, person: Person, source: str, reason: str) -> CohortReferral:
    """Refer `person` to the selection panel for the IOM cohort, from `by`'s agency."""
    reason = check_referral(by=by, person=person, source=source, reason=reason)
    agency = by.agency
    assert agency is not None  # check_referral refuses a member of no agency
    try:
        with transaction.atomic():
            referral = CohortReferral.objects.create(
                person=person, referring_agency_id=agency.pk, referred_by=by, source=source, reason=reason
            )
    except IntegrityError:  # a referral made at the same moment
        raise _invalid(
            {"person": f"{person.full_name} has already been referred and is waiting for the panel"},
            "The referral was not made",
        ) from None
    _history(
        CohortChangeKind.REFERRED,
        by=by,
        person=person,
        referral=referral,
        summary=f"Referred by {agency.name}: {ReferralSource(source).label}",
        reason=reason,
    )
    return referral


def _lock_awaiting(referral: CohortReferral, by: StaffMember) -> CohortReferral:
    if not is_selection_panel(by):
        raise NotPermitted("Only the selection panel (a partnership manager) can decide a referral.")
    _visible(referral.person, by)
    locked = CohortReferral.objects.select_for_update().select_related("person").get(pk=referral.pk)
    if locked.status != ReferralStatus.AWAITING_PANEL:
        raise InvalidInput(
            f"Referral {locked.number} has already been decided: {locked.get_status_display().lower()}."
        )
    return locked


def check_acceptance(
    *, tier: str, lead_agency: str, started_on: dt.date | None, review_on: dt.date | None, today: dt.date
) -> tuple[Agency, dt.date, dt.date]:
    """Raise unless the panel's acceptance is complete; the lead agency, start date and review date."""
    errors: dict[str, str] = {}
    if tier not in Tier.values:
        errors["tier"] = "Choose the tier: Fixed, Flex or Free"
    agency = Agency.objects.filter(code=lead_agency).first() if lead_agency else None
    if agency is None:
        errors["lead_agency"] = (
            f"'{lead_agency}' is not an agency of this partnership: choose the lead agency"
            if lead_agency
            else "Choose the agency that will lead the case"
        )
    started_on = started_on or today
    if started_on > today:
        errors["started_on"] = "The date they join the cohort must be today or in the past"
    review_on = review_on or started_on + DEFAULT_REVIEW_AFTER
    if review_on <= today:
        errors["review_on"] = "The review date must be in the future"
    elif review_on > today + MAX_REVIEW_AHEAD:
        errors["review_on"] = "The review date must be within a year"
    if errors:
        raise _invalid(errors, "The person was not accepted onto the cohort")
    assert agency is not None
    return agency, started_on, review_on


@transaction.atomic
def accept_referral(
    referral: CohortReferral,
    *,
    by: StaffMember,
    tier: str,
    lead_agency: str,
    review_on: dt.date | None = None,
    started_on: dt.date | None = None,
    note: str = "",
) -> CohortMembership:
    """The panel takes the referred person onto the cohort: a membership starts, with its review date."""
    referral = _lock_awaiting(referral, by)
    today = timezone.localdate()
    agency, started_on, review_on = check_acceptance(
        tier=tier, lead_agency=lead_agency, started_on=started_on, review_on=review_on, today=today
    )
    person = referral.person
    if CohortMembership.objects.current().filter(person=person).exists():
        raise InvalidInput(f"{person.full_name} is already in the cohort.")
    membership = CohortMembership.objects.create(
        person=person, tier=tier, lead_agency=agency, started_on=started_on, review_on=review_on
    )
    referral.status = ReferralStatus.ACCEPTED
    referral.decided_by = by
    referral.decided_at = timezone.now()
    referral.decision_reason = (note or "").strip()[:MAX_REASON]
    referral.membership = membership
    referral.save(update_fields=["status", "decided_by", "decided_at", "decision_reason", "membership"])
    _history(
        CohortChangeKind.ACCEPTED,
        by=by,
        person=person,
        membership=membership,
        referral=referral,
        summary=f"Accepted as {Tier(tier).label}, led by {agency.name}, from {_date(started_on)}; "
        f"review by {_date(review_on)}",
        reason=referral.decision_reason,
    )
    return membership


def check_decline(reason: str) -> str:
    """Raise unless the panel gave a reason for declining; the reason, tidied."""
    reason = (reason or "").strip()
    if problem := _reason_error(reason, "why the panel declined the referral"):
        raise _invalid({"reason": problem}, "The referral was not declined")
    return reason


@transaction.atomic
def decline_referral(referral: CohortReferral, *, by: StaffMember, reason: str) -> CohortReferral:
    """The panel declines the referral, saying why (the referrer is told through its history)."""
    reason = check_decline(reason)
    referral = _lock_awaiting(referral, by)
    referral.status = ReferralStatus.DECLINED
    referral.decided_by = by
    referral.decided_at = timezone.now()
    referral.decision_reason = reason
    referral.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    _history(
        CohortChangeKind.DECLINED,
        by=by,
        person=referral.person,
        referral=referral,
        summary="Referral declined by the selection panel",
        reason=reason,
    )
    return referral


# --- a membership ---------------------------------------------------------------------------------


def _lock_current(membership: CohortMembership, by: StaffMember, *, panel_only: bool) -> CohortMembership:
    allowed = is_selection_panel(by) if panel_only else may_manage_membership(by, membership)
    if not allowed:
        raise NotPermitted(
            "Only the selection panel (a partnership manager) can do this."
            if panel_only
            else "Only the selection panel or staff of the lead agency can change this membership."
        )
    _visible(membership.person, by)
    locked = (
        CohortMembership.objects.select_for_update()
        .select_related("person", "lead_agency")
        .get(pk=membership.pk)
    )
    if locked.ended_on is not None:
        raise InvalidInput(
            f"{locked.person.full_name} left the cohort on {_date(locked.ended_on)}: nothing can change now."
        )
    return locked


@transaction.atomic
def assign_key_worker(
    membership: CohortMembership, *, by: StaffMember, key_worker: StaffMember | None
) -> None:
    """Allocate `key_worker` (a practitioner or volunteer of a partner agency) to the member."""
    membership = _lock_current(membership, by, panel_only=False)
    if key_worker is None:
        raise _invalid({"key_worker": "Choose the key worker to assign"}, "No key worker was assigned")
    if not key_worker.is_active or key_worker.agency_id is None or key_worker.role not in KEY_WORKER_ROLES:
        raise _invalid(
            {
                "key_worker": f"{key_worker} cannot be a key worker: choose a practitioner or volunteer of a partner agency"
            },
            "No key worker was assigned",
        )
    if not may_see_person(key_worker, membership.person_id):
        raise _invalid(
            {"key_worker": f"{key_worker} may not see this person (an access list): choose someone else"},
            "No key worker was assigned",
        )
    if membership.key_workers.filter(pk=key_worker.pk).exists():
        raise _invalid({"key_worker": f"{key_worker} is already a key worker"}, "No key worker was assigned")
    assert key_worker.agency is not None  # checked above
    membership.key_workers.add(key_worker)
    _history(
        CohortChangeKind.KEY_WORKER_ASSIGNED,
        by=by,
        person=membership.person,
        membership=membership,
        summary=f"{key_worker} ({key_worker.agency.name}) assigned as key worker",
    )


@transaction.atomic
def remove_key_worker(
    membership: CohortMembership, *, by: StaffMember, key_worker: StaffMember, reason: str
) -> None:
    """Take a key worker off the member's case, saying why (handover, leaving the post)."""
    reason = (reason or "").strip()
    if problem := _reason_error(reason, "why the key worker is changing"):
        raise _invalid({"reason": problem}, "The key worker was not removed")
    membership = _lock_current(membership, by, panel_only=False)
    if not membership.key_workers.filter(pk=key_worker.pk).exists():
        raise _invalid(
            {"key_worker": f"{key_worker} is not a key worker of this person"},
            "The key worker was not removed",
        )
    assert key_worker.agency is not None  # a key worker is assigned only with an agency
    membership.key_workers.remove(key_worker)
    _history(
        CohortChangeKind.KEY_WORKER_REMOVED,
        by=by,
        person=membership.person,
        membership=membership,
        summary=f"{key_worker} ({key_worker.agency.name}) no longer key worker",
        reason=reason,
    )


@transaction.atomic
def change_tier(membership: CohortMembership, *, by: StaffMember, tier: str, reason: str) -> CohortMembership:
    """The panel moves a member to another tier, saying why."""
    errors: dict[str, str] = {}
    if tier not in Tier.values:
        errors["tier"] = "Choose the tier: Fixed, Flex or Free"
    reason = (reason or "").strip()
    if problem := _reason_error(reason, "why the tier is changing"):
        errors["reason"] = problem
    if errors:
        raise _invalid(errors, "The tier was not changed")
    membership = _lock_current(membership, by, panel_only=True)
    if membership.tier == tier:
        raise _invalid({"tier": f"The tier is already {Tier(tier).label}"}, "The tier was not changed")
    before = membership.get_tier_display()
    membership.tier = tier
    membership.save(update_fields=["tier"])
    _history(
        CohortChangeKind.TIER_CHANGED,
        by=by,
        person=membership.person,
        membership=membership,
        summary=f"Tier changed from {before} to {Tier(tier).label}",
        reason=reason,
    )
    return membership


@transaction.atomic
def set_review_date(
    membership: CohortMembership, *, by: StaffMember, review_on: dt.date | None
) -> CohortMembership:
    """Set when the panel next reviews this membership (after a review, or to bring one forward)."""
    today = timezone.localdate()
    error = None
    if review_on is None:
        error = "Enter the review date"
    elif review_on <= today:
        error = "The review date must be in the future"
    elif review_on > today + MAX_REVIEW_AHEAD:
        error = "The review date must be within a year"
    if error:
        raise _invalid({"review_on": error}, "The review date was not set")
    assert review_on is not None
    membership = _lock_current(membership, by, panel_only=False)
    membership.review_on = review_on
    membership.save(update_fields=["review_on"])
    _history(
        CohortChangeKind.REVIEW_DATE_SET,
        by=by,
        person=membership.person,
        membership=membership,
        summary=f"Next review by {_date(review_on)}",
    )
    return membership


def check_leaving(membership: CohortMembership, *, reason: str, ended_on: dt.date | None) -> dt.date:
    """Raise unless the reason and date are a valid way to leave; the date they left."""
    errors: dict[str, str] = {}
    if reason not in ExitReason.values:
        errors["reason"] = "Choose why the person is leaving the cohort"
    today = timezone.localdate()
    ended_on = ended_on or today
    if ended_on > today:
        errors["ended_on"] = "The date they left must be today or in the past"
    elif ended_on < membership.started_on:
        errors["ended_on"] = (
            f"The date they left must be on or after they joined ({_date(membership.started_on)})"
        )
    if errors:
        raise _invalid(errors, "The person has not left the cohort")
    return ended_on


@transaction.atomic
def leave_cohort(
    membership: CohortMembership,
    *,
    by: StaffMember,
    reason: str,
    ended_on: dt.date | None = None,
    note: str = "",
) -> CohortMembership:
    """The panel takes a member off the cohort from `ended_on`; retention's cohort-exit rules count from it."""
    membership = _lock_current(membership, by, panel_only=True)
    ended_on = check_leaving(membership, reason=reason, ended_on=ended_on)
    membership.ended_on = ended_on
    membership.exit_reason = reason
    membership.save(update_fields=["ended_on", "exit_reason"])
    _history(
        CohortChangeKind.LEFT,
        by=by,
        person=membership.person,
        membership=membership,
        summary=f"Left the cohort on {_date(ended_on)}: {ExitReason(reason).label}",
        reason=(note or "").strip()[:MAX_REASON],
    )
    return membership
