"""The protocol editor's pages: what a draft changes (with the simulator's effect), one page per
change (details, a clause, a new clause, removing a clause), and asking for changes. Thin: each
form gives one part of the YAML document, and editing.edit_draft validates and stores the whole."""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from iomshare.errors import DomainError, NotPermitted
from iomshare.partnership.signed_in import SignedInRequest
from iomshare.protocols import diff, editing, selectors, simulator, yaml_format
from iomshare.protocols.editor_forms import ChangesForm, ClauseForm, DetailsForm
from iomshare.protocols.models import Protocol, ProtocolStatus
from iomshare.protocols.readable import describe_clause
from iomshare.protocols.views import _protocol

_CLAUSE_PATH = re.compile(r"^clauses\[(\d+)\]\.?(.*)$")
_QUOTED_CODE = re.compile(r"'([a-z0-9][a-z0-9_.-]*)'")


def _in_plain_words(message: str) -> str:
    """The validator's message with each quoted code as the name a person knows it by.

    The YAML import names codes, which its readers type; the editor's readers tick names.
    """
    names = diff.code_names()
    message = message.replace("like 2026-03-31", "in day, month and year boxes, like 31 3 2027")
    return _QUOTED_CODE.sub(lambda match: names.get(match.group(1), match.group(0)), message)


def _draft_to_edit(request: SignedInRequest, protocol_id: int) -> Protocol:
    protocol = _protocol(protocol_id)
    if protocol.status != ProtocolStatus.DRAFT:
        raise Http404("Only a draft can be changed")
    try:
        editing.check_may_edit(protocol, request.user)
    except NotPermitted as error:
        raise PermissionDenied(error.message) from error
    return protocol


def _field_of(path: str) -> str:
    """The form field a validator path names: `conditions.training[2]` -> `training`."""
    path = path.removeprefix("conditions.")
    return re.split(r"[.\[]", path, maxsplit=1)[0]


def _place_problems(
    form, problems: list[yaml_format.FileProblem], draft: Protocol, clause_number: int | None
) -> list[tuple[str, str]]:
    """Put each validator problem on the form field it is about; return the rest for the summary.

    A problem elsewhere in the protocol (another clause, a field of another page) is listed with a
    link to the page where it can be put right.
    """
    elsewhere = []
    for problem in problems:
        problem = yaml_format.FileProblem(problem.line, problem.field, _in_plain_words(problem.message))
        match = _CLAUSE_PATH.match(problem.field)
        if match and clause_number is not None and int(match.group(1)) == clause_number:
            name = _field_of(match.group(2))
        elif not match and clause_number is None:
            name = _field_of(problem.field)
        else:
            name = ""
        if name in form.fields:
            form.add_error(name, problem.message)
        elif match:
            number = int(match.group(1))
            link = reverse("protocols:edit-clause", args=[draft.pk, number])
            elsewhere.append((link, f"Clause {number}: {problem.message}"))
        else:
            elsewhere.append((reverse("protocols:edit-details", args=[draft.pk]), problem.message))
    return elsewhere


def _summary(form, elsewhere: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The error summary: each field's error linked to the field, then the rest linked to its page."""
    return [(f"#{name}", errors[0]) for name, errors in form.errors.items() if name in form.fields] + [
        *elsewhere,
        *[(f"#{form.prefix or 'main-content'}", error) for error in form.non_field_errors()],
    ]


def _save(
    request, draft: Protocol, form, document: dict[str, Any], change: str, number: int | None
) -> list[tuple[str, str]] | None:
    """Store `document` (None), or put the problems on the form and return those found elsewhere."""
    try:
        editing.edit_draft(draft, document, by=request.user, change=change)
    except yaml_format.ProtocolFileInvalid as error:
        return _place_problems(form, error.problems, draft, number)
    except DomainError as error:
        return [("#main-content", error.message)]
    messages.success(request, f"Saved: {change}. Approvals given before this change must be given again.")
    return None


def _render_form(request, template: str, draft: Protocol, form, errors, title: str, **extra) -> HttpResponse:
    return render(
        request,
        template,
        {
            "protocol": draft,
            "form": form,
            "errors": errors,
            "nav": "protocols",
            "page_title": ("Error: " if errors else "") + title,
            **extra,
        },
        status=400 if errors else 200,
    )


@login_required
def changes(request: SignedInRequest, protocol_id: int) -> HttpResponse:
    """What the draft changes against the version in force, and who would see what because of it."""
    protocol = _protocol(protocol_id)
    if protocol.status != ProtocolStatus.DRAFT:
        raise Http404("Only a draft has changes to show")
    current = selectors.version_in_force(protocol.reference)
    try:
        editing.check_may_edit(protocol, request.user)
        may_edit = True
    except DomainError:
        may_edit = False
    return render(
        request,
        "protocols/changes.html",
        {
            "protocol": protocol,
            "current": current,
            "differences": diff.differences(current, protocol),
            "simulation": simulator.simulate(protocol),
            "document": editing.document_of(protocol),
            "may_edit": may_edit,
            "nav": "protocols",
            "page_title": f"Changes in {protocol.title}, version {protocol.version}",
        },
    )


@login_required
def edit_details(request: SignedInRequest, protocol_id: int) -> HttpResponse:
    draft = _draft_to_edit(request, protocol_id)
    document = editing.document_of(draft)
    errors: list[tuple[str, str]] = []
    if request.method == "POST":
        form = DetailsForm(request.POST)
        elsewhere: list[tuple[str, str]] | None = []
        if form.is_valid():
            changed = editing.with_details(document, form.document_part())
            elsewhere = _save(request, draft, form, changed, "the protocol's details", None)
            if elsewhere is None:
                return redirect("protocols:changes", draft.pk)
        errors = _summary(form, elsewhere or [])
    else:
        form = DetailsForm(initial=DetailsForm.initial_from(document))
    parts = form.fields["review_on"].widget.parts(form["review_on"].value())
    return _render_form(
        request,
        "protocols/edit_details.html",
        draft,
        form,
        errors,
        "Change the protocol's details",
        parts=parts,
    )


def _clause_form(request, draft: Protocol, number: int | None) -> HttpResponse:
    document = editing.document_of(draft)
    parties = [(agency.code, agency.name) for agency in draft.parties.order_by("name")]
    errors: list[tuple[str, str]] = []
    if request.method == "POST":
        form = ClauseForm(request.POST, parties=parties)
        elsewhere: list[tuple[str, str]] | None = []
        if form.is_valid():
            changed = editing.with_clause(document, number, form.document_part())
            added = len(document.get("clauses", [])) + 1
            change = f"clause {number} changed" if number else f"clause {added} added"
            elsewhere = _save(request, draft, form, changed, change, number or added)
            if elsewhere is None:
                return redirect("protocols:changes", draft.pk)
        errors = _summary(form, elsewhere or [])
    else:
        clause = editing.clause_document(document, number) if number else None
        form = ClauseForm(initial=ClauseForm.initial_from(clause), parties=parties)
    title = f"Change clause {number}" if number else "Add a clause"
    return _render_form(request, "protocols/edit_clause.html", draft, form, errors, title, number=number)


@login_required
def edit_clause(request: SignedInRequest, protocol_id: int, clause_number: int) -> HttpResponse:
    draft = _draft_to_edit(request, protocol_id)
    if editing.clause_document(editing.document_of(draft), clause_number) is None:
        raise Http404("No such clause")
    return _clause_form(request, draft, clause_number)


@login_required
def add_clause(request: SignedInRequest, protocol_id: int) -> HttpResponse:
    return _clause_form(request, _draft_to_edit(request, protocol_id), None)


@login_required
def remove_clause(request: SignedInRequest, protocol_id: int, clause_number: int) -> HttpResponse:
    """Confirm, then remove one clause (the clauses after it move up one number)."""
    draft = _draft_to_edit(request, protocol_id)
    document = editing.document_of(draft)
    if editing.clause_document(document, clause_number) is None:
        raise Http404("No such clause")
    errors: list[tuple[str, str]] = []
    if request.method == "POST":
        try:
            editing.edit_draft(
                draft,
                editing.without_clause(document, clause_number),
                by=request.user,
                change=f"clause {clause_number} removed",
            )
        except yaml_format.ProtocolFileInvalid as error:
            errors = [("#main-content", problem.message) for problem in error.problems]
        except DomainError as error:
            errors = [("#main-content", error.message)]
        else:
            messages.success(request, f"Clause {clause_number} is removed from the draft.")
            return redirect("protocols:changes", draft.pk)
    clause = next(item for item in draft.clauses.all() if item.number == clause_number)
    return _render_form(
        request,
        "protocols/remove_clause.html",
        draft,
        None,
        errors,
        f"Remove clause {clause_number}",
        number=clause_number,
        readable=describe_clause(clause, draft),
    )


@login_required
def ask_for_changes(request: SignedInRequest, protocol_id: int) -> HttpResponse:
    """A party's IG lead sends the draft back with comments instead of approving it."""
    draft = _protocol(protocol_id)
    if not selectors.may_approve(draft, request.user):
        raise PermissionDenied("Only a party's information-governance lead whose approval is due can ask.")
    errors: list[tuple[str, str]] = []
    form = ChangesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            editing.ask_for_changes(draft, by=request.user, comments=form.cleaned_data["comments"])
        except DomainError as error:
            for name, message in error.field_errors.items():
                form.add_error(name, message)
            errors = _summary(form, [] if error.field_errors else [("#main-content", error.message)])
        else:
            messages.success(request, "Your comments are sent to the drafter. Your agency has not approved.")
            return redirect("protocols:detail", draft.pk)
    return _render_form(request, "protocols/ask_for_changes.html", draft, form, errors, "Ask for changes")
