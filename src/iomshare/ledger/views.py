"""Ledger reports for information-governance leads: pages and CSV downloads.

Subject access requests are their own workflow (iomshare.subject_access).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import render

from iomshare.errors import InvalidInput, NotFound, NotPermitted
from iomshare.ledger import selectors, services
from iomshare.ledger.downloads import csv_lines
from iomshare.ledger.models import Action
from iomshare.partnership.models import Agency, Role, StaffMember
from iomshare.partnership.signed_in import SignedInRequest
from iomshare.people.selectors import search_people
from iomshare.people.visibility import known_people
from iomshare.protocols.selectors import clause_labels, purpose_names
from iomshare.web.govuk_dates import DateInputError, parse_date_input

TITLES = {
    selectors.ReportKind.PERSON: "Disclosure history",
    selectors.ReportKind.AGENCY: "Disclosure log",
    selectors.ReportKind.STAFF: "Access report",
}


def _not_permitted(request: SignedInRequest, error: NotPermitted) -> HttpResponse:
    return render(
        request,
        "ledger/not_permitted.html",
        {"message": error.message, "nav": "ledger", "page_title": "You cannot see this page"},
        status=403,
    )


def _dates(request: SignedInRequest) -> tuple[selectors.DateRange | None, dict[str, str]]:
    errors: dict[str, str] = {}
    found = {}
    for name, label in (("start", "the start date"), ("end", "the end date")):
        try:
            found[name] = parse_date_input(request.GET, name, label, required=False)
        except DateInputError as error:
            errors[name] = str(error)
    if errors:
        return None, errors
    try:
        return selectors.DateRange(found["start"], found["end"]), {}
    except InvalidInput as error:
        return None, error.field_errors


@login_required
def reports_home(request: SignedInRequest) -> HttpResponse:
    viewer = request.user
    if not selectors.may_run_reports(viewer):
        return _not_permitted(request, NotPermitted(selectors.NOT_PERMITTED_MESSAGE))
    query = request.GET.get("q", "").strip()[:100]
    people = list(search_people(query).filter(pk__in=known_people(viewer).values("pk"))[:25]) if query else []
    if query:
        services.record(Action.SEARCH, by=viewer, details={"terms": {"q": query}, "results": len(people)})
    staff = StaffMember.objects.select_related("agency").order_by("agency__name", "last_name", "first_name")
    agencies = Agency.objects.all()
    if viewer.role != Role.PARTNERSHIP_MANAGER:
        own = viewer.agency_id
        assert own is not None  # may_run_reports refuses an IG lead of no agency
        staff = staff.filter(agency_id=own)
        agencies = agencies.filter(pk=own)
    return render(
        request,
        "ledger/home.html",
        {
            "query": query,
            "people": people,
            "staff": staff,
            "agencies": agencies,
            "nav": "ledger",
            "page_title": "Disclosure ledger reports",
        },
    )


@login_required
def report(request: SignedInRequest, kind: str, key: str) -> HttpResponse:
    viewer = request.user
    try:
        subject = selectors.report_subject(kind, key, viewer=viewer)
    except NotPermitted as error:
        return _not_permitted(request, error)
    except NotFound as error:
        raise Http404(error.message) from None
    dates, errors = _dates(request)
    after = request.GET.get("after") or None
    page = None
    if dates is not None:
        try:
            page = selectors.report_page(kind, subject.key, dates, after=after)
        except InvalidInput as error:
            errors = error.field_errors
        else:
            services.record_report(
                by=viewer,
                kind=kind,
                subject_key=subject.key,
                person_id=subject.person_id,
                dates=dates,
                output="html",
                after=after,
            )
    querystring = request.GET.copy()
    querystring.pop("after", None)
    return render(
        request,
        "ledger/report.html",
        {
            "kind": kind,
            "subject": subject,
            "title": TITLES[kind],
            "page": page,
            "names": selectors.staff_names(page.entries) if page else {},
            "rows": _readable(page.entries) if page else [],
            "errors": errors,
            "dates": {
                name: {part: request.GET.get(f"{name}-{part}", "") for part in ("day", "month", "year")}
                for name in ("start", "end")
            },
            "querystring": querystring.urlencode(),
            "after": after,
            "nav": "ledger",
            "page_title": ("Error: " if errors else "") + f"{TITLES[kind]}: {subject.label}",
        },
        status=400 if errors else 200,
    )


def _readable(entries: list) -> list[dict]:
    """Each entry with its codes as a person reads them: purpose, clause and agency names."""
    clauses = clause_labels(clause for entry in entries for clause in entry.clauses)
    purposes = purpose_names()
    agencies = dict(Agency.objects.values_list("code", "name"))
    return [
        {
            "entry": entry,
            "purpose": purposes.get(entry.purpose, entry.purpose.replace("_", " ")),
            "clauses": [clauses[clause] for clause in entry.clauses],
            "holding_agencies": [agencies.get(code, code) for code in entry.holding_agencies],
            "actor_agency": agencies.get(entry.actor_agency, entry.actor_agency),
        }
        for entry in entries
    ]


@login_required
def report_csv(request: SignedInRequest, kind: str, key: str) -> HttpResponse | StreamingHttpResponse:
    viewer = request.user
    try:
        subject = selectors.report_subject(kind, key, viewer=viewer)
    except NotPermitted as error:
        return _not_permitted(request, error)
    except NotFound as error:
        raise Http404(error.message) from None
    dates, errors = _dates(request)
    if dates is None:
        return HttpResponse(
            "The report was not run: " + "; ".join(errors.values()), status=400, content_type="text/plain"
        )
    services.record_report(
        by=viewer, kind=kind, subject_key=subject.key, person_id=subject.person_id, dates=dates, output="csv"
    )
    lines = csv_lines(selectors.report_rows(kind, subject.key, dates), selectors.staff_names)
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ledger-{kind}-{subject.key}.csv"'
    return response
