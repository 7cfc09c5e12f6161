"""Pages of the vocabulary: what every coded value means, and where agencies' meanings conflict."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render

from iomshare.partnership.models import Role
from iomshare.partnership.signed_in import SignedInRequest
from iomshare.vocabulary import selectors

ROLES_THAT_SEE_CONFLICTS = {Role.IG_LEAD, Role.PARTNERSHIP_MANAGER, Role.ADMIN}


@login_required
def index(request: SignedInRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    return render(
        request,
        "vocabulary/index.html",
        {
            "schemes": selectors.schemes(),
            "query": query,
            "results": selectors.search_concepts(query)[:100] if query else None,
            "may_see_conflicts": request.user.role in ROLES_THAT_SEE_CONFLICTS,
            "nav": "vocabulary",
            "page_title": "Vocabulary",
        },
    )


@login_required
def scheme(request: SignedInRequest, scheme: str) -> HttpResponse:
    found = selectors.scheme(scheme)
    if found is None:
        raise Http404("No such scheme")
    return render(
        request,
        "vocabulary/scheme.html",
        {"scheme": found, "nav": "vocabulary", "page_title": found.name},
    )


@login_required
def concept(request: SignedInRequest, scheme: str, code: str) -> HttpResponse:
    found = selectors.concept(scheme, code)
    if found is None:
        raise Http404("No such concept")
    return render(
        request,
        "vocabulary/concept.html",
        {
            "concept": found,
            "nav": "vocabulary",
            "page_title": f"{found.preferred_term} – {found.scheme.name}",
        },
    )


@login_required
def conflicts(request: SignedInRequest) -> HttpResponse:
    if request.user.role not in ROLES_THAT_SEE_CONFLICTS:
        raise PermissionDenied("Only information-governance leads, partnership managers and administrators.")
    return render(
        request,
        "vocabulary/conflicts.html",
        {"conflicts": selectors.conflicts(), "nav": "vocabulary", "page_title": "Vocabulary conflicts"},
    )
