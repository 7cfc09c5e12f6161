"""Cohort list and person page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from iomshare.ledger import services as ledger
from iomshare.ledger.models import Action
from iomshare.partnership.models import Agency, Role, StaffMember
from iomshare.people import selectors
from iomshare.people.models import Tier
from iomshare.records import selectors as records

PAGE_SIZE = 50


@login_required
def cohort(request: HttpRequest) -> HttpResponse:
    filters = selectors.CohortFilters(
        search=request.GET.get("q", "").strip()[:100],
        tier=request.GET.get("tier", "") if request.GET.get("tier") in Tier.values else "",
        lead_agency=request.GET.get("lead_agency", "")[:40],
        key_worker=request.GET.get("key_worker", "")[:150],
    )
    page = Paginator(selectors.search_cohort(filters), PAGE_SIZE).get_page(request.GET.get("page"))
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
    key_workers = StaffMember.objects.filter(key_work__isnull=False).select_related("agency").distinct()
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
def person(request: HttpRequest, person_id) -> HttpResponse:
    profile = selectors.person_profile(person_id)
    if profile is None:
        raise Http404("No such person")
    picture = records.picture_for(request.user, profile)
    return render(
        request,
        "people/person.html",
        {"person": profile, "picture": picture, "nav": "cohort", "page_title": profile.full_name},
    )
