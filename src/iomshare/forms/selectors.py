"""Reads of standard forms, and of the assessments already done that a new one might repeat."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Max, OuterRef, QuerySet, Subquery
from django.utils import timezone

from iomshare.forms.models import FormDefinition
from iomshare.partnership.models import StaffMember
from iomshare.people.models import Person
from iomshare.records import selectors as records
from iomshare.records.models import InformationItem

# How far back to look for an assessment of the same kind before starting a new one.
RECENT_ASSESSMENT_DAYS = 183


def current_forms() -> QuerySet[FormDefinition]:
    """The latest version of every form: the one new items are recorded on."""
    latest = (
        FormDefinition.objects.filter(code=OuterRef("code"))
        .values("code")
        .annotate(v=Max("version"))
        .values("v")
    )
    return (
        FormDefinition.objects.filter(version=Subquery(latest)).select_related("category").order_by("title")
    )


def latest_version(code: str) -> FormDefinition | None:
    return FormDefinition.objects.filter(code=code).select_related("category").order_by("-version").first()


def form_version(code: str, version: int) -> FormDefinition | None:
    """Any published version, old ones included: items recorded on it are read with its questions."""
    return FormDefinition.objects.filter(code=code, version=version).select_related("category").first()


def versions_of(code: str) -> QuerySet[FormDefinition]:
    return FormDefinition.objects.filter(code=code).select_related("published_by").order_by("-version")


@dataclass(frozen=True)
class EarlierAssessments:
    """What is already known before a practitioner starts an assessment: to avoid repeating it.

    `visible` are the assessments the viewer may read for `purpose` (their own agency's, and other
    agencies' that a protocol shares); `requestable` counts, per holding agency, those that exist
    but are withheld, where a protocol lets their existence be known.
    """

    visible: list[InformationItem]
    requestable: list[records.Withheld]
    since: dt.date
    purpose: str | None

    @property
    def any(self) -> bool:
        return bool(self.visible or self.requestable)


def assessments_they_may_request(
    viewer: StaffMember, person: Person, form: FormDefinition, since: dt.date, purpose: str | None
) -> list[records.Withheld]:
    """Assessments on `form` the viewer cannot read for `purpose` but may ask their holding agency for:
    counted per agency through the door, only where the protocol lets their existence be known."""
    return records.withheld_form_items(viewer, person, form_code=form.code, since=since, purpose=purpose)


def earlier_assessments(
    viewer: StaffMember, person: Person, form: FormDefinition, *, purpose: str | None = None
) -> EarlierAssessments:
    """Assessments on this form (any version, any agency) in recent months: those `viewer` may see
    for `purpose`, and those withheld that they may ask for."""
    since = timezone.localdate() - dt.timedelta(days=RECENT_ASSESSMENT_DAYS)
    return EarlierAssessments(
        visible=records.recent_form_items(viewer, person, form_code=form.code, since=since, purpose=purpose),
        requestable=assessments_they_may_request(viewer, person, form, since, purpose),
        since=since,
        purpose=purpose,
    )
