"""Business actions on information items: recording, and (later) correcting and withdrawing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from iomshare.errors import InvalidInput, NotPermitted
from iomshare.partnership.models import Role, StaffMember
from iomshare.people.models import Person
from iomshare.records.models import Category, InformationItem, Sensitivity

MAX_REVIEW_INTERVAL = dt.timedelta(days=3 * 366)
ROLES_THAT_RECORD = {Role.PRACTITIONER, Role.VOLUNTEER, Role.IG_LEAD, Role.PARTNERSHIP_MANAGER, Role.SYSTEM}


@transaction.atomic
def record_item(
    *,
    by: StaffMember,
    person: Person,
    category: Category,
    summary: str,
    sensitivity: int = Sensitivity.OFFICIAL,
    details: str = "",
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
    review_by: dt.date | None = None,
    payload: dict[str, Any] | None = None,
) -> InformationItem:
    """Record an item held by `by`'s own agency: nobody records on another agency's behalf."""
    if by.agency_id is None or by.role not in ROLES_THAT_RECORD:
        raise NotPermitted("Only staff of a partner agency can record information about a person.")
    today = timezone.localdate()
    valid_from = valid_from or today
    review_by = review_by or today + dt.timedelta(days=365)
    errors: dict[str, str] = {}
    summary = (summary or "").strip()
    if not summary:
        errors["summary"] = "Enter a summary of the information"
    elif len(summary) > 300:
        errors["summary"] = "Summary must be 300 characters or fewer"
    if len(details) > 20_000:
        errors["details"] = "Details must be 20,000 characters or fewer"
    if sensitivity not in Sensitivity.values:
        errors["sensitivity"] = "Select OFFICIAL or OFFICIAL-SENSITIVE"
    if valid_from > today:
        errors["valid_from"] = "The date the information applies from must be today or in the past"
    if valid_to is not None and valid_to < valid_from:
        errors["valid_to"] = (
            "The date the information stops applying must be on or after the date it applies from"
        )
    if review_by <= today:
        errors["review_by"] = "The review date must be in the future"
    elif review_by - today > MAX_REVIEW_INTERVAL:
        errors["review_by"] = (
            "The review date must be within 3 years, so the information is checked for accuracy"
        )
    if errors:
        raise InvalidInput("The item was not recorded: correct the problems listed.", field_errors=errors)
    return InformationItem.objects.create(
        person=person,
        holding_agency_id=by.agency_id,
        author=by,
        category=category,
        sensitivity=sensitivity,
        summary=summary,
        details=details,
        payload=payload or {},
        valid_from=valid_from,
        valid_to=valid_to,
        review_by=review_by,
    )
