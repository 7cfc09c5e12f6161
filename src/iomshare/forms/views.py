"""Standard forms in the browser: reading definitions, publishing one, and filling one in for a person.

Filling in follows the GOV.UK pattern: choose the form, answer the questions, check your answers,
then record. Answers wait in the session between the questions and the check page.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from iomshare.errors import DomainError
from iomshare.forms import selectors, services
from iomshare.forms.answers import AnswerValidator, read_post
from iomshare.forms.definitions import CODED_WIDGETS
from iomshare.forms.models import FormDefinition
from iomshare.forms.page_forms import ChooseFormForm, PublishDefinitionForm
from iomshare.kit.form_pages import first_errors, render_form_page
from iomshare.partnership.signed_in import SignedInRequest
from iomshare.people.models import Person
from iomshare.people.selectors import person_profile
from iomshare.people.summary import remembered_purpose
from iomshare.protocols.decisions import purposes_for
from iomshare.records.services import ROLES_THAT_RECORD
from iomshare.vocabulary.selectors import concepts_in


def _person_or_404(person_id, viewer) -> Person:
    person = person_profile(person_id, viewer)
    if person is None:
        raise Http404("No such person")
    return person


def _draft_key(person: Person, code: str) -> str:
    return f"form-draft:{person.pk}:{code}"


def _fields_for_page(
    form: FormDefinition, answers: dict[str, Any], errors: dict[str, str], raw=None
) -> list[dict[str, Any]]:
    """The layout's sections with each field ready to render: its value, options and error."""
    options_by_scheme: dict[str, list] = {}
    sections = []
    for section in form.layout:
        fields = []
        for field in section["fields"]:
            name, widget = field["name"], field["widget"]
            answer = answers.get(name)
            bound: dict[str, Any] = {
                **field,
                "error": errors.get(name, ""),
                "value": answer if answer is not None else "",
            }
            if widget == "date":
                if raw is not None:
                    bound["day"], bound["month"], bound["year"] = (
                        raw.get(f"{name}-{part}", "") for part in ("day", "month", "year")
                    )
                elif answer:
                    year, month, day = answer.split("-")
                    bound["day"], bound["month"], bound["year"] = str(int(day)), str(int(month)), year
            elif widget == "number" and raw is not None:
                bound["value"] = raw.get(name, "")
            if widget in CODED_WIDGETS:
                scheme = field["scheme"]
                if scheme not in options_by_scheme:
                    options_by_scheme[scheme] = concepts_in(scheme)
                chosen = answer if isinstance(answer, list) else [answer]
                bound["options"] = [
                    {
                        "value": c.code,
                        "label": c.preferred_term,
                        "hint": c.definition,
                        "checked": c.code in chosen,
                    }
                    for c in options_by_scheme[scheme]
                ]
            fields.append(bound)
        sections.append({"heading": section.get("heading", ""), "fields": fields})
    return sections


@login_required
def index(request: SignedInRequest) -> HttpResponse:
    return render(
        request,
        "forms/index.html",
        {
            "forms": selectors.current_forms(),
            "may_publish": request.user.role in services.ROLES_THAT_PUBLISH_FORMS,
            "nav": "forms",
            "page_title": "Standard forms",
        },
    )


@login_required
def definition(request: SignedInRequest, code: str, version: int | None = None) -> HttpResponse:
    """One version of a form (the latest unless asked), with every other version listed."""
    form = selectors.form_version(code, version) if version else selectors.latest_version(code)
    if form is None:
        raise Http404("No such form")
    return render(
        request,
        "forms/definition.html",
        {
            "form": form,
            "sections": _fields_for_page(form, {}, {}),
            "required": form.required,
            "versions": selectors.versions_of(code),
            "definition_json": json.dumps(form.definition, indent=2, ensure_ascii=False),
            "nav": "forms",
            "page_title": f"{form.title}, version {form.version}",
        },
    )


@login_required
def publish(request: SignedInRequest) -> HttpResponse:
    """Publish a new form, or a new version, by uploading its definition as a JSON file."""
    if request.user.role not in services.ROLES_THAT_PUBLISH_FORMS:
        raise PermissionDenied("Only a partnership manager or an administrator can publish standard forms.")
    problems: list = []
    errors: dict[str, str] = {}
    if request.method == "POST":
        upload = PublishDefinitionForm(request.POST, request.FILES)
        if not upload.is_valid():
            errors = first_errors(upload)
        else:
            try:
                form = services.publish_form(upload.cleaned_data["definition"], by=request.user)
            except services.InvalidDefinition as error:
                problems = error.problems
                errors["definition"] = error.message
            except DomainError as error:
                errors["definition"] = error.message
            else:
                messages.success(request, f"{form.title} version {form.version} has been published.")
                return redirect("forms:definition-version", form.code, form.version)
    return render_form_page(
        request,
        "forms/publish.html",
        {"problems": problems, "nav": "forms"},
        title="Publish a standard form",
        errors=errors,
    )


def _may_record(request: SignedInRequest) -> None:
    if request.user.agency_id is None or request.user.role not in ROLES_THAT_RECORD:
        raise PermissionDenied("Only staff of a partner agency can record information about a person.")


@login_required
def choose(request: SignedInRequest, person_id) -> HttpResponse:
    """Fill a standard form: first choose which."""
    _may_record(request)
    person = _person_or_404(person_id, request.user)
    forms = list(selectors.current_forms())
    errors: dict[str, str] = {}
    if request.method == "POST":
        chosen = ChooseFormForm(request.POST)
        chosen.is_valid()
        code = chosen.cleaned_data["form"]
        if any(form.code == code for form in forms):
            purpose = request.GET.get("purpose", "").strip()[:40] or remembered_purpose(request, person.pk)
            query = f"?{urlencode({'purpose': purpose})}" if purpose else ""
            return redirect(reverse("forms:fill", args=[person.pk, code]) + query)
        errors["form"] = "Select the form you want to fill in"
    return render_form_page(
        request,
        "forms/choose.html",
        {"person": person, "forms": forms, "nav": "cohort"},
        title=f"Fill a standard form about {person.full_name}",
        errors=errors,
    )


@login_required
def fill(request: SignedInRequest, person_id, code: str) -> HttpResponse:
    """The questions of the form's latest version; valid answers go on to the check page."""
    _may_record(request)
    person = _person_or_404(person_id, request.user)
    form = selectors.latest_version(code)
    if form is None:
        raise Http404("No such form")
    draft = request.session.get(_draft_key(person, code), {})
    answers: dict[str, Any] = draft.get("answers", {}) if draft.get("version") == form.version else {}
    errors: dict[str, str] = {}
    raw = None
    if request.method == "POST":
        # A standard form's questions are data (its definition), so forms.answers reads them.
        raw = request.POST
        answers, errors = read_post(form, raw)
        for name, message in AnswerValidator(form).errors(answers).items():
            errors.setdefault(name, message)
        if not errors:
            request.session[_draft_key(person, code)] = {"version": form.version, "answers": answers}
            return redirect("forms:check", person.pk, code)
        order = [field["name"] for field in form.fields]
        errors = dict(sorted(errors.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 0))
    return render_form_page(
        request,
        "forms/fill.html",
        {
            "person": person,
            "form": form,
            "sections": _fields_for_page(form, answers, errors, raw),
            **(_earlier(request, person, form) if form.is_assessment else {"earlier": None}),
            "nav": "cohort",
        },
        title=f"{form.title} – {person.full_name}",
        errors=errors,
    )


def _earlier(request: SignedInRequest, person: Person, form: FormDefinition) -> dict[str, Any]:
    """The assessments already done, for the purpose the practitioner declared (purpose first)."""
    purposes = purposes_for(request.user)
    # The purpose declared here, or the one last declared on the person's page (remembered per person).
    chosen = request.GET.get("purpose", "").strip()[:40] or remembered_purpose(request, person.pk)
    purpose = next((p for p in purposes if p.code == chosen), None)
    return {
        "earlier": selectors.earlier_assessments(
            request.user, person, form, purpose=purpose.code if purpose else None
        ),
        "purposes": purposes,
        "purpose": purpose,
        "purpose_error": "Choose one of the purposes your agency's protocols cover"
        if chosen and not purpose
        else "",
    }


@login_required
def check(request: SignedInRequest, person_id, code: str) -> HttpResponse:
    """Check your answers, then record: nothing is recorded before this page is confirmed."""
    _may_record(request)
    person = _person_or_404(person_id, request.user)
    draft = request.session.get(_draft_key(person, code))
    form = selectors.form_version(code, draft["version"]) if draft else None
    if draft is None or form is None:
        return redirect("forms:fill", person.pk, code)
    answers = draft["answers"]
    error = ""
    if request.method == "POST":
        try:
            item = services.record_form(by=request.user, person=person, form=form, answers=answers)
        except DomainError as problem:
            error = problem.message
            if problem.field_errors:
                error += " " + " ".join(problem.field_errors.values())
        else:
            del request.session[_draft_key(person, code)]
            messages.success(request, f"The {form.title.lower()} has been recorded: {item.summary}")
            return redirect("people:person", person.pk)
    return render_form_page(
        request,
        "forms/check.html",
        {
            "person": person,
            "form": form,
            "payload": services.payload_of(form, answers),
            "change_url": reverse("forms:fill", args=[person.pk, code]),
            "nav": "cohort",
        },
        title=f"Check your answers – {form.title}",
        errors={"check": error} if error else {},
    )
