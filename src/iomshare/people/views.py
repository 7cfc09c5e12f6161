"""Cohort list and person page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from iomshare.errors import NotFound
from iomshare.information_requests.selectors import approved_purpose_codes, may_ask_for_information
from iomshare.ledger import services as ledger
from iomshare.ledger.models import Action
from iomshare.partnership.models import Agency, Role, StaffMember
from iomshare.partnership.signed_in import SignedInRequest
from iomshare.people import selectors, summary, visibility
from iomshare.people.models import Tier
from iomshare.protocols.decisions import purposes_for
from iomshare.protocols.models import Purpose
from iomshare.records import selectors as records

PAGE_SIZE = 50
TIMELINE_PAGE = 20  # items on one page of a person's timeline, newest first (issue 14: kept short)


@login_required
def cohort(request: SignedInRequest) -> HttpResponse:
    filters = selectors.CohortFilters(
        search=request.GET.get("q", "").strip()[:100],
        tier=request.GET.get("tier", "") if request.GET.get("tier") in Tier.values else "",
        lead_agency=request.GET.get("lead_agency", "")[:40],
        key_worker=request.GET.get("key_worker", "")[:150],
    )
    page = Paginator(selectors.search_cohort(filters, request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    if filters.search or filters.tier or filters.lead_agency or filters.key_worker:
        ledger.record(
            Action.SEARCH,
            by=request.user,
            details={
                "terms": {k: v for k, v in vars(filters).items() if v},
                "results": page.paginator.count,
                "page": page.number,
            },
        )
    key_workers = (
        StaffMember.objects.filter(
            key_work__isnull=False, agency_id__in=visibility.open_agencies(request.user)
        )
        .select_related("agency")
        .distinct()
    )
    querystring = request.GET.copy()
    querystring.pop("page", None)
    return render(
        request,
        "people/cohort.html",
        {
            "page": page,
            "filters": filters,
            "tiers": Tier.choices,
            "agencies": Agency.objects.all(),
            "key_workers": key_workers.exclude(role=Role.SYSTEM),
            "querystring": querystring.urlencode(),
            "nav": "cohort",
            "page_title": "Cohort",
        },
    )


@login_required
def person(request: SignedInRequest, person_id) -> HttpResponse:
    """A person's page: purpose first, then the full picture and what is withheld (invariant 3)."""
    profile = selectors.person_profile(person_id, request.user)
    if profile is None:
        raise Http404("No such person")
    purposes = purposes_for(request.user)
    one_off = approved_purpose_codes(request.user, profile.pk, on=timezone.localdate())
    if one_off - {p.code for p in purposes}:
        purposes = sorted({*purposes, *Purpose.objects.filter(code__in=one_off)}, key=lambda p: p.name)
    if request.GET.get("change_purpose"):
        summary.remember_purpose(request, profile.pk, "")
    chosen = request.GET.get("purpose", "").strip()[:40] or summary.remembered_purpose(request, profile.pk)
    purpose = next((p for p in purposes if p.code == chosen), None)
    error = ""
    if chosen and purpose is None:
        error = "Choose one of the purposes your agency's protocols cover"
        summary.remember_purpose(request, profile.pk, "")
    elif request.GET.get("declare") and not chosen:
        error = "Choose why you need other agencies' information"
    elif purpose is not None:
        summary.remember_purpose(request, profile.pk, purpose.code)
    timeline = summary.timeline_choices(request, purpose.code if purpose else None)
    try:
        number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        number = 1
    try:
        # Past the last page, the last one is read and shown: one read, one ledger entry.
        picture = records.picture_for(
            request.user,
            profile,
            purpose=purpose.code if purpose else None,
            limit=TIMELINE_PAGE,
            offset=(number - 1) * TIMELINE_PAGE,
            narrowed=timeline.narrowed,
            with_summary=True,
            last_page_when_past_end=True,
        )
        page = Paginator(range(picture.count), TIMELINE_PAGE).get_page(picture.offset // TIMELINE_PAGE + 1)
    except NotFound as exc:
        raise Http404("No such person") from exc
    querystring = request.GET.copy()
    querystring.pop("page", None)
    querystring.pop("declare", None)
    querystring.pop("change_purpose", None)
    assert picture.summary is not None  # asked for with_summary
    return render(
        request,
        "people/person.html",
        {
            "person": profile,
            "summary": summary.case_summary(request.user, profile, picture.summary),
            "timeline": timeline,
            "picture": picture,
            "purposes": purposes,
            "purpose": purpose,
            "purpose_error": error,
            "may_request": may_ask_for_information(request.user),
            "page": page,
            "querystring": querystring.urlencode(),
            "nav": "cohort",
            "page_title": ("Error: " if error else "") + profile.full_name,
        },
        status=400 if error else 200,
    )
