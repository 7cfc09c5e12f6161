"""Identity pages: the review queue, a pair side by side, conflicts, a person's history, the model."""

from __future__ import annotations

import json
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from iomshare.errors import DomainError
from iomshare.identity import selectors, services, waiting
from iomshare.identity.models import (
    Confidence,
    ConflictCase,
    LinkageRun,
    Merge,
    Outcome,
    ReviewCase,
    ReviewStatus,
    RunStatus,
    SourceRecord,
)
from iomshare.people.models import Person
from iomshare.people.visibility import may_know

PAGE_SIZE = 25
DECISION_FIELDS = ["record_a", "record_b", "outcome", "confidence", "rationale"]


def reviewers_only(view):
    """Identity pages show every agency's names and dates of birth: reviewers only."""

    @wraps(view)
    @login_required
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.user.role not in services.REVIEWER_ROLES:
            return render(
                request,
                "identity/not_permitted.html",
                {"page_title": "You cannot see this page", "nav": "identity"},
                status=403,
            )
        return view(request, *args, **kwargs)

    return wrapped


def _ordered(errors: dict[str, str], order: list[str]) -> dict[str, str]:
    known = {field: errors[field] for field in order if field in errors}
    return {**known, **{field: message for field, message in errors.items() if field not in known}}


@reviewers_only
def review_queue(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.open_review_cases(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "identity/review_queue.html",
        {
            "page": page,
            "conflicts": selectors.open_conflicts()[:50],
            "model": selectors.active_model(),
            "runs": selectors.recent_runs(3),
            "running": services.running_run(),
            "nav": "identity",
            "page_title": "Records to review",
        },
    )


def _get(queryset, **lookup):
    found = queryset.filter(**lookup).first()
    if found is None:
        raise Http404("Not found")
    return found


@reviewers_only
def review_case(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _get(
        ReviewCase.objects.select_related("record_a__agency", "record_b__agency", "model"), pk=case_id
    )
    errors: dict[str, str] = {}
    values = request.POST if request.method == "POST" else {}
    rows = selectors.side_by_side(case.record_a, case.record_b)
    if request.method == "POST" and case.status == "open":
        decision = {key: request.POST.get(key, "") for key in ("outcome", "confidence", "rationale")}
        # Linking two people is asked twice: first what differs between them, then "Yes, link them".
        confirming = decision["outcome"] == Outcome.SAME and request.POST.get("confirmed") != "yes"
        try:
            if confirming:
                services.check_decision(case.record_a, case.record_b, **decision, by=request.user)
            else:
                services.decide(case.record_a, case.record_b, **decision, by=request.user)
        except DomainError as error:
            errors = error.field_errors or {"outcome": error.message}
        else:
            if confirming:
                return _confirm_merge(request, case, rows, decision)
            return _decided(request, case, decision["outcome"])
    merge = _just_merged(case, request.GET.get("merged", ""))
    return render(
        request,
        "identity/review_case.html",
        {
            "case": case,
            "rows": rows,
            "merge": merge,
            "explanation": selectors.explain_case(case),
            "errors": _ordered(errors, DECISION_FIELDS),
            "values": values,
            "outcomes": Outcome.choices,
            "confidences": Confidence.choices,
            "nav": "identity",
            "page_title": ("Error: " if errors else "") + "Are these the same person?",
        },
        status=400 if errors else 200,
    )


# Rows of the side-by-side that always differ between two agencies' records: not about the person.
NOT_ABOUT_THE_PERSON = frozenset({"Agency", "Agency's record key", "Received"})


def _confirm_merge(request: HttpRequest, case: ReviewCase, rows, decision: dict) -> HttpResponse:
    """Check your answers before a merge: what differs between the two people, highlighted."""
    person_rows = [row for row in rows if row.label not in NOT_ABOUT_THE_PERSON]
    return render(
        request,
        "identity/confirm_merge.html",
        {
            "case": case,
            "differs": [row for row in person_rows if row.left and row.right and not row.agrees],
            "same": [row for row in person_rows if row.agrees],
            "decision": decision,
            "confidence": Confidence(decision["confidence"]).label,
            "nav": "identity",
            "page_title": "Link these records as one person?",
        },
    )


def _decided(request: HttpRequest, case: ReviewCase, outcome: str) -> HttpResponse:
    """After a decision: a link back to the queue, and for a merge an undo link on its own page."""
    keys = f"Records {case.record_a.record_key} and {case.record_b.record_key}"
    if outcome != Outcome.SAME:
        messages.success(request, f"{keys} kept apart.")
        return redirect("identity:review-queue")
    merge = (
        Merge.objects.filter(merged_by=request.user, undone_at__isnull=True)
        .filter(survivor__source_records=case.record_a)
        .order_by("-merged_at")
        .first()
    )
    if merge is None:  # they were one person already: nothing to undo
        messages.success(request, f"{keys} linked: they are now one person.")
        return redirect("identity:review-queue")
    return redirect(f"{reverse('identity:review-case', args=[case.pk])}?merged={merge.pk}")


def _just_merged(case: ReviewCase, merge_id: str) -> Merge | None:
    """The merge this case's decision made, still undoable (shown with its undo link)."""
    if not merge_id.isdigit() or case.status != ReviewStatus.LINKED:
        return None
    return (
        Merge.objects.filter(pk=int(merge_id), undone_at__isnull=True, survivor__source_records=case.record_a)
        .select_related("survivor", "absorbed")
        .first()
    )


@reviewers_only
def conflict_case(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _get(ConflictCase.objects.all(), pk=case_id)
    records = list(case.records.select_related("agency", "person").order_by("pk"))
    errors: dict[str, str] = {}
    values = request.POST if request.method == "POST" else {}
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "decide":
                by_id = {str(r.pk): r for r in records}
                first, second = (
                    by_id.get(request.POST.get("record_a", "")),
                    by_id.get(request.POST.get("record_b", "")),
                )
                if first is None or second is None:
                    errors = {"record_a": "Select two of the records listed"}
                else:
                    services.decide(
                        first,
                        second,
                        outcome=request.POST.get("outcome", ""),
                        confidence=request.POST.get("confidence", ""),
                        rationale=request.POST.get("rationale", ""),
                        by=request.user,
                    )
                    messages.success(
                        request, f"Your decision on {first.record_key} and {second.record_key} is recorded."
                    )
                    return redirect("identity:conflict-case", case.pk)
            elif action == "close":
                services.resolve_conflict(case, by=request.user, note=request.POST.get("note", ""))
                messages.success(request, "The case is closed.")
                return redirect("identity:review-queue")
            else:
                errors = {"action": "Choose what to do"}
        except DomainError as error:
            errors = error.field_errors or {"rationale": error.message}
    return render(
        request,
        "identity/conflict_case.html",
        {
            "case": case,
            "records": records,
            "errors": _ordered(errors, [*DECISION_FIELDS, "note"]),
            "values": values,
            "outcomes": Outcome.choices,
            "confidences": Confidence.choices,
            "decisions": selectors.decisions_about(records)[:20],
            "nav": "identity",
            "page_title": ("Error: " if errors else "") + "Records that need attention",
        },
        status=400 if errors else 200,
    )


def _may_open_history(viewer, person_id) -> bool:
    if may_know(viewer, person_id):
        return True
    from iomshare.people.access_lists import may_see_person

    merged = Merge.objects.filter(survivor_id=person_id) | Merge.objects.filter(absorbed_id=person_id)
    return may_see_person(viewer, person_id) and merged.exists()


@reviewers_only
def person_history(request: HttpRequest, person_id) -> HttpResponse:
    # A person's identity history names them and every agency that holds them: for a viewer who may
    # know the person (people.visibility), or a reviewer reaching a person through a merge they
    # resolve (reviewers compare every agency's records by design); never past an access list.
    person = (
        Person.objects.filter(pk=person_id).first() if _may_open_history(request.user, person_id) else None
    )
    if person is None:
        raise Http404("No such person")
    records = list(selectors.records_of(person))
    return render(
        request,
        "identity/person_history.html",
        {
            "person": person,
            "records": records,
            "merges": selectors.merges_of(person),
            "events": selectors.history_of(person)[:200],
            "decisions": selectors.decisions_about(records)[:50],
            "nav": "identity",
            "page_title": f"Identity history of {person.full_name}",
        },
    )


@reviewers_only
def unmerge(request: HttpRequest, merge_id: int) -> HttpResponse:
    merge = _get(Merge.objects.select_related("survivor", "absorbed"), pk=merge_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            services.unmerge(merge, by=request.user, rationale=request.POST.get("rationale", ""))
        except DomainError as error:
            errors = error.field_errors or {"rationale": error.message}
        else:
            messages.success(
                request, f"The merge is undone: {merge.absorbed.full_name} is a separate person again."
            )
            return redirect("identity:person-history", merge.survivor_id)
    moved_records = SourceRecord.objects.filter(pk__in=merge.moved.get("source_records", [])).select_related(
        "agency"
    )
    return render(
        request,
        "identity/unmerge.html",
        {
            "merge": merge,
            "moved_records": moved_records,
            "counts": {key: len(value) for key, value in merge.moved.items()},
            "errors": errors,
            "values": request.POST,
            "nav": "identity",
            "page_title": ("Error: " if errors else "") + "Undo this merge",
        },
        status=400 if errors else 200,
    )


@reviewers_only
def linkage_model(request: HttpRequest) -> HttpResponse:
    model = selectors.active_model()
    return render(
        request,
        "identity/model.html",
        {
            "model": model,
            "levels": selectors.model_levels(model) if model else [],
            "model_json": json.dumps(model.model, indent=2) if model else "",
            "runs": selectors.recent_runs(10),
            "nav": "identity",
            "page_title": "Linkage model",
        },
    )


@reviewers_only
@require_POST
def start_linking(request: HttpRequest) -> HttpResponse:
    """'Link new records': the same linking as `iomshare link`, with the saved model, in the background."""
    try:
        run = services.start_linking(by=request.user)
    except services.LinkingAlreadyRunning as refused:
        # Not a mistake in what was entered: say so where the running run's progress is shown.
        messages.warning(request, refused.message)
        return redirect("identity:link-run", refused.run.pk)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("identity:review-queue")
    services.start_in_background(run)
    return redirect("identity:link-run", run.pk)


def _run_context(run: LinkageRun) -> dict:
    if run.status == RunStatus.RUNNING and services.running_run() is None:
        run.refresh_from_db()  # its worker stopped for good: now marked failed, with the reason
    step, done, total = services.live_step(run)
    return {"run": run, "step": step, "step_done": done, "step_total": total}


@reviewers_only
def link_run(request: HttpRequest, run_id: int) -> HttpResponse:
    run = _get(LinkageRun.objects.select_related("started_by", "model"), pk=run_id)
    return render(
        request,
        "identity/link_run.html",
        {**_run_context(run), "nav": "identity", "page_title": "Linking records"},
    )


@reviewers_only
def link_run_status(request: HttpRequest, run_id: int) -> HttpResponse:
    """The run's status panel alone: the run page polls it (HTMX) until the run finishes."""
    run = _get(LinkageRun.objects.select_related("started_by", "model"), pk=run_id)
    return render(request, "identity/_link_run_status.html", _run_context(run))


def _date_from_parts(post) -> str:
    """A GOV.UK date input's three fields as YYYY-MM-DD (checked by the service, which names the problem)."""
    day, month, year = (post.get(f"date_of_birth-{part}", "").strip() for part in ("day", "month", "year"))
    if not (day or month or year):
        return ""
    if not (day.isdigit() and month.isdigit() and year.isdigit()):
        return f"{year}-{month}-{day}"
    return f"{int(year):04d}-{int(month):02d}-{int(day):02d}"


@login_required
def waiting_queue(request: HttpRequest) -> HttpResponse:
    """Records too bare to match, waiting to be completed: the viewer's agency's, or all for an IG lead."""
    page = Paginator(waiting.waiting_records(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "identity/waiting_queue.html",
        {"page": page, "nav": "identity", "page_title": "Records that cannot be matched yet"},
    )


@login_required
def waiting_record(request: HttpRequest, record_id: int) -> HttpResponse:
    """A waiting record's details, and (for its holding agency) a form to add what it lacks."""
    try:
        record = waiting.waiting_record(record_id, viewer=request.user)
    except DomainError as error:
        raise Http404(error.message) from error
    may_complete = waiting.may_complete(record, request.user)
    errors: dict[str, str] = {}
    values = request.POST if request.method == "POST" else {}
    if request.method == "POST" and may_complete:
        changes = {field: request.POST.get(field, "") for field in ("given_name", "family_name", "postcode")}
        changes["date_of_birth"] = _date_from_parts(request.POST)
        try:
            arrival = waiting.complete_record(record, changes, by=request.user)
        except DomainError as error:
            errors = error.field_errors or {"family_name": error.message}
            if "date_of_birth" in errors:
                errors["date_of_birth-day"] = errors.pop("date_of_birth")
        else:
            messages.success(
                request,
                f"Record {record.record_key} completed and matched: {OUTCOME_WORDS[arrival.outcome]}.",
            )
            return redirect("identity:waiting-queue")
    return render(
        request,
        "identity/waiting_record.html",
        {
            "record": record,
            "may_complete": may_complete,
            "errors": errors,
            "values": values,
            "dob_error": errors.get("date_of_birth-day", ""),
            "dob": {part: values.get(f"date_of_birth-{part}", "") for part in ("day", "month", "year")},
            "nav": "identity",
            "page_title": f"Complete record {record.record_key}",
        },
    )


OUTCOME_WORDS = {
    "linked": "it joined a person already known",
    "review": "a possible match waits for review",
    "attention": "it needs a reviewer's attention",
    "new person": "it is a new person",
}
