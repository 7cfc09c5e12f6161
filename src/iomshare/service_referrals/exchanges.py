"""Recording informal exchanges: "discussed with another agency", so word of mouth becomes a record.

What was shared or agreed is recorded as an information item of the recorder's agency (category
"contact", through records.services), so the one door decides who reads it; the exchange row keeps
only who, which agencies, where and when, which both agencies see in their lists and the
partnership's health check counts.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from iomshare.alerts import services as alerts
from iomshare.errors import InvalidInput, NotFound, NotPermitted
from iomshare.ledger import services as ledger
from iomshare.ledger.models import Action
from iomshare.partnership.models import Role, StaffMember
from iomshare.partnership.selectors import other_agency as partner_agency
from iomshare.people.models import CohortMembership, Person
from iomshare.people.visibility import is_volunteer, may_know
from iomshare.records import services as records
from iomshare.records.models import Category, Sensitivity
from iomshare.service_referrals.models import ExchangeChannel, InformalExchange

RECORDER_ROLES = frozenset({Role.PRACTITIONER, Role.IG_LEAD, Role.PARTNERSHIP_MANAGER})
EXCHANGE_CATEGORY = "contact"
MIN_WHAT = 10
MAX_WHAT = 5000
OLDEST_DAYS = 365


def record_exchange(  # noqa: C901 (one check per field of the record, each reported at once)
    *,
    by: StaffMember,
    person: Person,
    other_agency: str,
    other_person: str,
    channel: str,
    happened_on: dt.date | None,
    what: str,
    sensitivity: int = Sensitivity.OFFICIAL,
) -> InformalExchange:
    """Record a conversation about `person` with `other_agency`: who, where, when and what was
    shared or agreed (the last as an item of `by`'s agency, read only through the door)."""
    if by.agency_id is None or is_volunteer(by) or by.role not in RECORDER_ROLES:
        raise NotPermitted("Only staff of a partner agency can record a conversation with another agency.")
    if not may_know(by, person.pk):
        raise NotFound("There is no such person that you may see.")
    errors: dict[str, str] = {}
    agency, problem = partner_agency(
        other_agency,
        by,
        choose="Choose the agency you spoke with",
        own="Choose another agency: this records conversations between agencies",
        hint="choose one from the list",
    )
    if problem:
        errors["other_agency"] = problem
    other_person = (other_person or "").strip()
    if not other_person:
        errors["other_person"] = "Enter who you spoke with, for example their name and role"
    elif len(other_person) > 120:
        errors["other_person"] = "Keep who you spoke with to 120 characters or fewer"
    if channel not in ExchangeChannel.values:
        errors["channel"] = "Choose where the conversation happened"
    today = timezone.localdate()
    if happened_on is None:
        errors["happened_on"] = "Enter the date of the conversation"
    elif happened_on > today:
        errors["happened_on"] = "The date of the conversation must be today or in the past"
    elif happened_on < today - dt.timedelta(days=OLDEST_DAYS):
        errors["happened_on"] = "The conversation must be within the last year: record older ones as an item"
    what = (what or "").strip()
    if len(what) < MIN_WHAT:
        errors["what"] = (
            "Enter what was shared or agreed"
            if not what
            else f"Describe what was shared or agreed in at least {MIN_WHAT} characters"
        )
    elif len(what) > MAX_WHAT:
        errors["what"] = f"Keep it to {MAX_WHAT} characters or fewer"
    if errors:
        raise InvalidInput(
            "The conversation was not recorded: correct the problems listed.", field_errors=errors
        )
    assert agency is not None and happened_on is not None  # else a problem was named above
    with transaction.atomic():
        item = records.record_item(
            by=by,
            person=person,
            category=Category.objects.get(code=EXCHANGE_CATEGORY),
            summary=f"Conversation with {agency.name} ({ExchangeChannel(channel).label.lower()})",
            details=what,
            sensitivity=sensitivity,
            valid_from=happened_on,
            payload={"informal_exchange": {"other_agency": agency.code, "channel": channel}},
        )
        exchange = InformalExchange.objects.create(
            person=person,
            recorded_by=by,
            recording_agency_id=by.agency_id,
            other_agency=agency,
            other_person=other_person,
            channel=channel,
            happened_on=happened_on,
            item_id=item.pk,
        )
        ledger.record(
            Action.CASE_WORK,
            by=by,
            person=person,
            items=[item],
            details={
                "informal_exchange": exchange.pk,
                "change": "recorded",
                "other_agency": agency.code,
                "channel": channel,
            },
        )
    _tell_the_other_agency(exchange, by=by)
    return exchange


def _tell_the_other_agency(exchange: InformalExchange, *, by: StaffMember) -> None:
    """Its key workers of the person hear of the record (never its content), if they may know the person."""
    workers = StaffMember.objects.filter(
        agency_id=exchange.other_agency_id,
        is_active=True,
        pk__in=CohortMembership.objects.current().filter(person_id=exchange.person_id).values("key_workers"),
    )
    told = [worker for worker in workers if not is_volunteer(worker) and may_know(worker, exchange.person_id)]
    if told:
        assert by.agency is not None  # record_exchange refuses a member of no agency
        alerts.notify(
            told,
            message=(
                f"{by.get_full_name() or by.username} ({by.agency.name}) recorded a conversation with "
                f"{exchange.other_agency.name} about {exchange.person.full_name} on {exchange.happened_on:%-d %B %Y}."
            ),
            link=reverse("service_referrals:exchange", args=[exchange.pk]),
            reason="informal_exchange_recorded",
            person=exchange.person,
            by=by,
        )
