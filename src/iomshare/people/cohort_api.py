"""Running the cohort through the machine API: the same services and rules as the web pages.

Refer a person, the selection panel's decision, key workers, tier, review date and leaving. A person
hidden from the caller answers 404, as if absent; bad input is a 422 problem naming each field.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from iomshare.errors import InvalidInput, NotFound
from iomshare.kit.api import PROBLEMS, caller
from iomshare.partnership.models import StaffMember
from iomshare.people import cohort_selectors as selectors
from iomshare.people import services, visibility
from iomshare.people.models import CohortMembership, CohortReferral, Person

router = Router(tags=["cohort"])


class ReferralIn(Schema):
    person: uuid.UUID = Field(description="The person referred.")
    source: str = Field(max_length=40, description="intelligence, release, court_order, partner_concern, ...")
    reason: str = Field(max_length=services.MAX_REASON, description="Why they should be in the cohort.")


class PanelDecisionIn(Schema):
    decision: str = Field(max_length=10, description="accept or decline")
    tier: str = Field("", max_length=10, description="fixed, flex or free (accept).")
    lead_agency: str = Field("", max_length=40, description="Code of the lead agency (accept).")
    review_on: dt.date | None = Field(None, description="Next review (accept; default three months).")
    reason: str = Field("", max_length=services.MAX_REASON, description="Why it is declined (decline).")
    note: str = Field("", max_length=services.MAX_REASON, description="Note of the discussion (accept).")


class KeyWorkerIn(Schema):
    username: str = Field(max_length=150)


class KeyWorkerRemovalIn(Schema):
    reason: str = Field(max_length=services.MAX_REASON)


class TierIn(Schema):
    tier: str = Field(max_length=10)
    reason: str = Field(max_length=services.MAX_REASON)


class ReviewIn(Schema):
    review_on: dt.date


class LeavingIn(Schema):
    reason: str = Field(
        max_length=40, description="sentence_ended, moved_area, deceased, no_longer_meets_criteria"
    )
    ended_on: dt.date | None = Field(None, description="The day they left (default today).")
    note: str = Field("", max_length=services.MAX_REASON)


class ReferralOut(Schema):
    id: int
    person: uuid.UUID
    referring_agency: str
    referred_by: str
    referred_at: dt.datetime
    source: str
    reason: str
    status: str = Field(description="awaiting, accepted or declined")
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_reason: str
    membership: int | None


class KeyWorkerOut(Schema):
    username: str
    name: str
    agency: str
    email: str


class ChangeOut(Schema):
    kind: str
    summary: str
    reason: str
    by: str
    at: dt.datetime


class MembershipOut(Schema):
    id: int
    person: uuid.UUID
    tier: str
    lead_agency: str
    started_on: dt.date
    ended_on: dt.date | None
    exit_reason: str
    review_on: dt.date | None
    key_workers: list[KeyWorkerOut]
    history: list[ChangeOut]


def _referral_out(referral: CohortReferral) -> dict:
    return {
        "id": referral.pk,
        "person": referral.person_id,
        "referring_agency": referral.referring_agency.code,
        "referred_by": referral.referred_by.username,
        "referred_at": referral.referred_at,
        "source": referral.source,
        "reason": referral.reason,
        "status": referral.status,
        "decided_by": referral.decided_by.username if referral.decided_by else None,
        "decided_at": referral.decided_at,
        "decision_reason": referral.decision_reason,
        "membership": referral.membership_id,
    }


def _membership_out(membership: CohortMembership) -> dict:
    return {
        "id": membership.pk,
        "person": membership.person_id,
        "tier": membership.tier,
        "lead_agency": membership.lead_agency.code,
        "started_on": membership.started_on,
        "ended_on": membership.ended_on,
        "exit_reason": membership.exit_reason,
        "review_on": membership.review_on,
        "key_workers": [
            {
                "username": w.username,
                "name": str(w),
                "agency": w.agency.code if w.agency else "",
                "email": w.email,
            }
            for w in membership.key_workers.all()
        ],
        "history": [
            {"kind": c.kind, "summary": c.summary, "reason": c.reason, "by": c.by.username, "at": c.at}
            for c in selectors.cohort_history(membership.person_id)
            if c.membership_id == membership.pk
        ],
    }


def _referral(request: HttpRequest, referral_id: int) -> CohortReferral:
    found = selectors.referral_for(caller(request), referral_id)
    if found is None:
        raise NotFound(f"There is no referral {referral_id} that you may see.")
    return found


def _membership(request: HttpRequest, membership_id: int) -> CohortMembership:
    found = selectors.membership_for(caller(request), membership_id)
    if found is None:
        raise NotFound(f"There is no cohort membership {membership_id} that you may see.")
    return found


@router.post("/cohort/referrals", response={201: ReferralOut, **PROBLEMS}, url_name="cohort-refer")
def refer(request: HttpRequest, payload: ReferralIn):
    """Refer a person to the selection panel for the IOM cohort."""
    viewer = caller(request)
    person = Person.objects.filter(pk=payload.person).first()
    if person is None or not visibility.may_know(viewer, person.pk):
        raise NotFound(f"There is no person with the id {payload.person}.")
    referral = services.refer_for_cohort(
        by=viewer, person=person, source=payload.source, reason=payload.reason
    )
    return Status(201, _referral_out(_referral(request, referral.pk)))


@router.get(
    "/cohort/referrals/{referral_id}", response={200: ReferralOut, **PROBLEMS}, url_name="cohort-referral"
)
def get_referral(request: HttpRequest, referral_id: int):
    """One referral: the panel sees every one, others their own agency's."""
    return _referral_out(_referral(request, referral_id))


@router.post(
    "/cohort/referrals/{referral_id}/decision",
    response={200: ReferralOut, **PROBLEMS},
    url_name="cohort-referral-decide",
)
def decide(request: HttpRequest, referral_id: int, payload: PanelDecisionIn):
    """The selection panel accepts (tier, lead agency, review date) or declines (reason)."""
    viewer = caller(request)
    referral = _referral(request, referral_id)
    if payload.decision == "accept":
        services.accept_referral(
            referral,
            by=viewer,
            tier=payload.tier,
            lead_agency=payload.lead_agency,
            review_on=payload.review_on,
            note=payload.note,
        )
    elif payload.decision == "decline":
        services.decline_referral(referral, by=viewer, reason=payload.reason)
    else:
        raise InvalidInput(
            "The decision was not recorded: correct the problems listed.",
            field_errors={"decision": "The decision must be accept or decline"},
        )
    return _referral_out(_referral(request, referral_id))


@router.get(
    "/cohort/memberships/{membership_id}",
    response={200: MembershipOut, **PROBLEMS},
    url_name="cohort-membership",
)
def get_membership(request: HttpRequest, membership_id: int):
    """A membership: tier, lead agency, dates, review date, key workers and its history."""
    return _membership_out(_membership(request, membership_id))


def _staff(username: str) -> StaffMember | None:
    return StaffMember.objects.filter(username=username).select_related("agency").first()


@router.post(
    "/cohort/memberships/{membership_id}/key-workers",
    response={200: MembershipOut, **PROBLEMS},
    url_name="cohort-key-worker-assign",
)
def assign_key_worker(request: HttpRequest, membership_id: int, payload: KeyWorkerIn):
    """Allocate a key worker (a practitioner or volunteer of a partner agency)."""
    membership = _membership(request, membership_id)
    worker = _staff(payload.username)
    if worker is None:
        raise InvalidInput(
            "No key worker was assigned: correct the problems listed.",
            field_errors={"username": f"There is no member of staff '{payload.username}'"},
        )
    services.assign_key_worker(membership, by=caller(request), key_worker=worker)
    return _membership_out(_membership(request, membership_id))


@router.post(
    "/cohort/memberships/{membership_id}/key-workers/{username}/removal",
    response={200: MembershipOut, **PROBLEMS},
    url_name="cohort-key-worker-remove",
)
def remove_key_worker(request: HttpRequest, membership_id: int, username: str, payload: KeyWorkerRemovalIn):
    """Take a key worker off the case, saying why."""
    membership = _membership(request, membership_id)
    worker = membership.key_workers.filter(username=username).first()
    if worker is None:
        raise NotFound(f"{username} is not a key worker of this membership.")
    services.remove_key_worker(membership, by=caller(request), key_worker=worker, reason=payload.reason)
    return _membership_out(_membership(request, membership_id))


@router.post(
    "/cohort/memberships/{membership_id}/tier",
    response={200: MembershipOut, **PROBLEMS},
    url_name="cohort-tier",
)
def change_tier(request: HttpRequest, membership_id: int, payload: TierIn):
    """The selection panel changes the tier, saying why."""
    services.change_tier(
        _membership(request, membership_id), by=caller(request), tier=payload.tier, reason=payload.reason
    )
    return _membership_out(_membership(request, membership_id))


@router.post(
    "/cohort/memberships/{membership_id}/review",
    response={200: MembershipOut, **PROBLEMS},
    url_name="cohort-review",
)
def set_review(request: HttpRequest, membership_id: int, payload: ReviewIn):
    """Set the next review date (the panel or the lead agency's staff)."""
    services.set_review_date(
        _membership(request, membership_id), by=caller(request), review_on=payload.review_on
    )
    return _membership_out(_membership(request, membership_id))


@router.post(
    "/cohort/memberships/{membership_id}/leaving",
    response={200: MembershipOut, **PROBLEMS},
    url_name="cohort-leave",
)
def leave(request: HttpRequest, membership_id: int, payload: LeavingIn):
    """The selection panel takes the member off the cohort, with a reason and the date."""
    services.leave_cohort(
        _membership(request, membership_id),
        by=caller(request),
        reason=payload.reason,
        ended_on=payload.ended_on,
        note=payload.note,
    )
    return _membership_out(_membership(request, membership_id))
