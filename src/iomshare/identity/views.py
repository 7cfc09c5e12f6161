"""Identity pages: the review queue, a pair side by side, conflicts, a person's history, the model."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from iomshare.errors import DomainError
from iomshare.identity import selectors, services, waiting
from iomshare.identity.forms import (
    CloseConflictForm,
    CompleteRecordForm,
    ConflictDecisionForm,
    DecisionForm,
    UnmergeForm,
)
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
from iomshare.kit.form_pages import render_form_page
from iomshare.kit.posted import in_order, posted
from iomshare.partnership.signed_in import SignedInRequest
from iomshare.people.models import Person
from iomshare.people.visibility import may_know
from iomshare.web.govuk_date_field import typed_parts

PAGE_SIZE = 25
DECISION_FIELDS = ["record_a", "record_b", "outcome", "confidence", "rationale"]


def reviewers_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Identity pages show every agency's names and dates of birth: reviewers only."""

    @wraps(view)
    @login_required
    def wrapped(request: SignedInRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.role not in services.REVIEWER_ROLES:
            return render(
                request,
                "identity/not_permitted.html",
                {"page_title": "You cannot see this page", "nav": "identity"},
                status=403,
            )
        return view(request, *args, **kwargs)

    return wrapped


@reviewers_only
def review_queue(request: SignedInRequest) -> HttpResponse:
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
def review_case(request: SignedInRequest, case_id: int) -> HttpResponse:
    case = _get(
        ReviewCase.objects.select_related("record_a__agency", "record_b__agency", "model"), pk=case_id
    )
    errors: dict[str, str] = {}
    form = DecisionForm(posted(request))
    rows = selectors.side_by_side(case.record_a, case.record_b)
    if form.is_valid() and case.status == "open":
        decision = form.decision()
        # Linking two people is asked twice: first what differs between them, then "Yes, link them".
        confirming = decision["outcome"] == Outcome.SAME and form.cleaned_data["confirmed"] != "yes"
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
    return render_form_page(
        request,
        "identity/review_case.html",
        {
            "case": case,
            "rows": rows,
            "merge": merge,
            "explanation": selectors.explain_case(case),
            "values": form.data,
            "outcomes": Outcome.choices,
            "confidences": Confidence.choices,
            "nav": "identity",
        },
        title="Are these the same person?",
        errors=in_order(errors, DECISION_FIELDS),
    )


# Rows of the side-by-side that always differ between two agencies' records: not about the person.
NOT_ABOUT_THE_PERSON = frozenset({"Agency", "Agency's record key", "Received"})


def _confirm_merge(request: SignedInRequest, case: ReviewCase, rows, decision: dict) -> HttpResponse:
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


def _decided(request: SignedInRequest, case: ReviewCase, outcome: str) -> HttpResponse:
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


def _conflict_page(
    request: SignedInRequest,
    case: ConflictCase,
    records: list[SourceRecord],
    values: Mapping[str, Any],
    errors: dict[str, str],
) -> HttpResponse:
    return render_form_page(
        request,
        "identity/conflict_case.html",
        {
            "case": case,
            "records": records,
            "values": values,
            "outcomes": Outcome.choices,
            "confidences": Confidence.choices,
            "decisions": selectors.decisions_about(records)[:20],
            "nav": "identity",
        },
        title="Records that need attention",
        errors=in_order(errors, [*DECISION_FIELDS, "note"]),
    )


def _conflict_of(case_id: int) -> tuple[ConflictCase, list[SourceRecord]]:
    case = _get(ConflictCase.objects.all(), pk=case_id)
    return case, list(case.records.select_related("agency", "person").order_by("pk"))


@reviewers_only
def conflict_case(request: SignedInRequest, case_id: int) -> HttpResponse:
    """Records that need attention: decide on any two of them (close_conflict closes the case)."""
    case, records = _conflict_of(case_id)
    form = ConflictDecisionForm(posted(request))
    if not form.is_bound:
        return _conflict_page(request, case, records, form.data, {})
    form.is_valid()
    by_id = {str(r.pk): r for r in records}
    first = by_id.get(form.cleaned_data.get("record_a", ""))
    second = by_id.get(form.cleaned_data.get("record_b", ""))
    if first is None or second is None:
        return _conflict_page(
            request, case, records, form.data, {"record_a": "Select two of the records listed"}
        )
    try:
        services.decide(first, second, **form.decision(), by=request.user)
    except DomainError as error:
        return _conflict_page(
            request, case, records, form.data, error.field_errors or {"rationale": error.message}
        )
    messages.success(request, f"Your decision on {first.record_key} and {second.record_key} is recorded.")
    return redirect("identity:conflict-case", case.pk)


@reviewers_only
@require_POST
def close_conflict(request: SignedInRequest, case_id: int) -> HttpResponse:
    """Close a case that needed attention, saying what was decided."""
    case, records = _conflict_of(case_id)
    form = CloseConflictForm(request.POST)
    form.is_valid()
    try:
        services.resolve_conflict(case, by=request.user, note=form.cleaned_data.get("note", ""))
    except DomainError as error:
        return _conflict_page(
            request, case, records, form.data, error.field_errors or {"rationale": error.message}
        )
    messages.success(request, "The case is closed.")
    return redirect("identity:review-queue")


def _may_open_history(viewer, person_id) -> bool:
    if may_know(viewer, person_id):
        return True
    from iomshare.people.access_lists import may_see_person

    merged = Merge.objects.filter(survivor_id=person_id) | Merge.objects.filter(absorbed_id=person_id)
    return may_see_person(viewer, person_id) and merged.exists()


@reviewers_only
def person_history(request: SignedInRequest, person_id) -> HttpResponse:
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
def unmerge(request: SignedInRequest, merge_id: int) -> HttpResponse:
    merge = _get(Merge.objects.select_related("survivor", "absorbed"), pk=merge_id)
    errors: dict[str, str] = {}
    form = UnmergeForm(posted(request))
    if form.is_valid():
        try:
            services.unmerge(merge, by=request.user, rationale=form.cleaned_data["rationale"])
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
    return render_form_page(
        request,
        "identity/unmerge.html",
        {
            "merge": merge,
            "moved_records": moved_records,
            "counts": {key: len(value) for key, value in merge.moved.items()},
            "values": form.data,
            "nav": "identity",
        },
        title="Undo this merge",
        errors=errors,
    )


@reviewers_only
def linkage_model(request: SignedInRequest) -> HttpResponse:
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
def start_linking(request: SignedInRequest) -> HttpResponse:
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
def link_run(request: SignedInRequest, run_id: int) -> HttpResponse:
    run = _get(LinkageRun.objects.select_related("started_by", "model"), pk=run_id)
    return render(
        request,
        "identity/link_run.html",
        {**_run_context(run), "nav": "identity", "page_title": "Linking records"},
    )


@reviewers_only
def link_run_status(request: SignedInRequest, run_id: int) -> HttpResponse:
    """The run's status panel alone: the run page polls it (HTMX) until the run finishes."""
    run = _get(LinkageRun.objects.select_related("started_by", "model"), pk=run_id)
    return render(request, "identity/_link_run_status.html", _run_context(run))


@login_required
def waiting_queue(request: SignedInRequest) -> HttpResponse:
    """Records too bare to match, waiting to be completed: the viewer's agency's, or all for an IG lead."""
    page = Paginator(waiting.waiting_records(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "identity/waiting_queue.html",
        {"page": page, "nav": "identity", "page_title": "Records that cannot be matched yet"},
    )


@login_required
def waiting_record(request: SignedInRequest, record_id: int) -> HttpResponse:
    """A waiting record's details, and (for its holding agency) a form to add what it lacks."""
    try:
        record = waiting.waiting_record(record_id, viewer=request.user)
    except DomainError as error:
        raise Http404(error.message) from error
    may_complete = waiting.may_complete(record, request.user)
    errors: dict[str, str] = {}
    form = CompleteRecordForm(posted(request))
    if form.is_valid() and may_complete:
        changes = dict(form.cleaned_data)
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
            "values": form.data,
            "dob_error": errors.get("date_of_birth-day", ""),
            "dob": typed_parts(form, "date_of_birth"),
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
