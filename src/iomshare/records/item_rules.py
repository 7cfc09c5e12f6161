"""The rules an information item's fields must meet, whether recorded one by one or in bulk."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from iomshare.partnership.models import Role
from iomshare.records.models import Sensitivity

MAX_REVIEW_INTERVAL = dt.timedelta(days=3 * 366)
ROLES_THAT_RECORD = {Role.PRACTITIONER, Role.VOLUNTEER, Role.IG_LEAD, Role.PARTNERSHIP_MANAGER, Role.SYSTEM}
SENSITIVITY_VALUES = frozenset(Sensitivity.values)


def item_field_problems(
    *,
    summary: str,
    details: str = "",
    sensitivity: int = Sensitivity.OFFICIAL,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
    review_by: dt.date,
    today: dt.date | None = None,
) -> dict[str, str]:
    """What `record_item` would refuse about these fields, by field: an import checks each row first."""
    return item_errors(
        summary=summary,
        details=details,
        sensitivity=sensitivity,
        valid_from=valid_from,
        valid_to=valid_to,
        review_by=review_by,
        today=today,
    )


def item_errors(
    *,
    summary: str,
    details: str,
    sensitivity: int,
    valid_from: dt.date,
    valid_to: dt.date | None,
    review_by: dt.date,
    review_may_be_past: bool = False,
    today: dt.date | None = None,
) -> dict[str, str]:
    """What is wrong with an item's fields, by field (empty when nothing is)."""
    today = today or timezone.localdate()  # passed in by bulk recording: it costs microseconds a row
    errors: dict[str, str] = {}
    if not summary:
        errors["summary"] = "Enter a summary of the information"
    elif len(summary) > 300:
        errors["summary"] = "Summary must be 300 characters or fewer"
    if len(details) > 20_000:
        errors["details"] = "Details must be 20,000 characters or fewer"
    if sensitivity not in SENSITIVITY_VALUES:
        errors["sensitivity"] = "Select OFFICIAL or OFFICIAL-SENSITIVE"
    if valid_from > today:
        errors["valid_from"] = "The date the information applies from must be today or in the past"
    if valid_to is not None and valid_to < valid_from:
        errors["valid_to"] = (
            "The date the information stops applying must be on or after the date it applies from"
        )
    if review_by <= today and not review_may_be_past:
        errors["review_by"] = "The review date must be in the future"
    elif review_by - today > MAX_REVIEW_INTERVAL:
        errors["review_by"] = (
            "The review date must be within 3 years, so the information is checked for accuracy"
        )
    return errors
