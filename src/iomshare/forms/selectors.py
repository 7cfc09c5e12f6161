"""Reads of standard forms, and of the assessments already done that a new one might repeat."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Max, OuterRef, QuerySet, Subquery
from django.utils import timezone

from iomshare.forms.models import FormDefinition
from iomshare.partnership.models import Agency, StaffMember
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
class RequestableAssessment:
    """An assessment the viewer may not read but may ask its holding agency for."""

    holding_agency: Agency
    recorded_on: dt.date
    form_title: str


@dataclass(frozen=True)
class EarlierAssessments:
    """What is already known before a practitioner starts an assessment: to avoid repeating it."""

    visible: list[InformationItem]
    requestable: list[RequestableAssessment]
    since: dt.date

    @property
    def any(self) -> bool:
        return bool(self.visible or self.requestable)


def assessments_they_may_request(
    viewer: StaffMember, person: Person, form: FormDefinition, since: dt.date
) -> list[RequestableAssessment]:
    """Hook for protocols: assessments the viewer cannot read but whose existence a protocol discloses.

    Empty until the sharing decision can say which withheld items may be known to exist; protocols
    fill this in (agency, date and kind only, never content).
    """
    return []


def earlier_assessments(viewer: StaffMember, person: Person, form: FormDefinition) -> EarlierAssessments:
    """Assessments on this form (any version, any agency) in recent months that `viewer` may see."""
    since = timezone.localdate() - dt.timedelta(days=RECENT_ASSESSMENT_DAYS)
    return EarlierAssessments(
        visible=records.recent_form_items(viewer, person, form_code=form.code, since=since),
        requestable=assessments_they_may_request(viewer, person, form, since),
        since=since,
    )
