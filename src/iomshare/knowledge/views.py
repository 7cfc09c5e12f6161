"""Pages for organisation profiles, the skills directory and practice notes.

Thin: parse with a Django form, call a service or selector, render. Nothing here is about a person
from the cohort (practice notes are refused if they identify one), so every partner may read it.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from iomshare.errors import DomainError, InvalidInput
from iomshare.kit.form_pages import render_form_page
from iomshare.knowledge import selectors, services
from iomshare.knowledge.forms import (
    MeetingLinkForm,
    NoteSearchForm,
    PracticeNoteForm,
    ProfileForm,
    SkillForm,
    SkillSearchForm,
)
from iomshare.knowledge.models import PracticeNote, Skill
from iomshare.partnership.models import Agency, Role
from iomshare.partnership.signed_in import SignedInRequest

NAV = "knowledge"


def _staff(request: SignedInRequest):
    viewer = request.user
    if viewer.role == Role.SYSTEM:
        raise PermissionDenied("Agency system accounts use the API.")
    return viewer


def _cleaned(form, name: str) -> str:
    return form.cleaned_data.get(name, "") if form.is_valid() else ""


def _field_errors(form, error: InvalidInput) -> dict[str, str]:
    for name, message in error.field_errors.items():
        if name in form.fields:
            form.add_error(name, message)
    return error.field_errors or {next(iter(form.fields)): error.message}


@login_required
def organisations(request: SignedInRequest) -> HttpResponse:
    """Every agency, whether its profile is complete, and its security assurance."""
    _staff(request)
    return render(
        request,
        "knowledge/organisations.html",
        {"agencies": selectors.agencies_with_profiles(), "nav": NAV, "page_title": "Partner organisations"},
    )


@login_required
def organisation(request: SignedInRequest, code: str) -> HttpResponse:
    viewer = _staff(request)
    agency = get_object_or_404(Agency, code=code)
    profile = selectors.profile_of(agency)
    return render(
        request,
        "knowledge/organisation.html",
        {
            "agency": agency,
            "profile": profile,
            "may_edit": services.may_edit_profile(agency, by=viewer),
            "nav": NAV,
            "page_title": agency.name,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit_organisation(request: SignedInRequest, code: str) -> HttpResponse:
    viewer = _staff(request)
    agency = get_object_or_404(Agency, code=code)
    if not services.may_edit_profile(agency, by=viewer):
        raise PermissionDenied("Only the agency's managers can change its profile.")
    profile = selectors.profile_of(agency)
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = ProfileForm(request.POST, auto_id="%s")
        if form.is_valid():
            try:
                services.save_profile(agency, by=viewer, **form.cleaned_data)
                messages.success(
                    request, f"The profile of {agency.name} is saved and marked as reviewed today."
                )
                return redirect("knowledge:organisation", code=agency.code)
            except InvalidInput as error:
                errors = _field_errors(form, error)
            except DomainError as error:
                raise PermissionDenied(error.message) from error
    else:
        initial = {name: getattr(profile, name) for name in services.PROFILE_FIELDS} if profile else {}
        form = ProfileForm(initial=initial, auto_id="%s")
    return render_form_page(
        request,
        "knowledge/edit_organisation.html",
        {"agency": agency, "form": form, "nav": NAV},
        title=f"Change the profile of {agency.name}",
        errors=errors,
        error_status=422,
    )


@login_required
@require_http_methods(["GET", "POST"])
def skills(request: SignedInRequest) -> HttpResponse:
    """The skills directory, searchable by topic and agency; each person adds their own skills here."""
    viewer = _staff(request)
    agencies = list(Agency.objects.order_by("name"))
    search = SkillSearchForm(request.GET or None, agencies=agencies, auto_id="search-%s")
    errors: dict[str, str] = {}
    form = SkillForm(auto_id="%s")
    if request.method == "POST":
        form = SkillForm(request.POST, auto_id="%s")
        if form.is_valid():
            try:
                skill = services.add_skill(by=viewer, **form.cleaned_data)
                messages.success(request, f"“{skill.topic}” is on your entry in the directory.")
                return redirect("knowledge:skills")
            except InvalidInput as error:
                errors = _field_errors(form, error)
            except DomainError as error:
                raise PermissionDenied(error.message) from error
    topic, agency_code = _cleaned(search, "topic"), _cleaned(search, "agency")
    return render_form_page(
        request,
        "knowledge/skills.html",
        {
            "search": search,
            "searched": bool(topic or agency_code),
            "found": selectors.skills_directory(topic=topic, agency_code=agency_code)[:200],
            "own": selectors.skills_of(viewer),
            "form": form,
            "nav": NAV,
        },
        title="Skills directory",
        errors=errors,
        error_status=422,
    )


@login_required
@require_POST
def remove_skill(request: SignedInRequest, skill_id: int) -> HttpResponse:
    viewer = _staff(request)
    skill = Skill.objects.filter(pk=skill_id, staff_member=viewer, removed_at__isnull=True).first()
    if skill is None:
        raise Http404("No such skill of yours")
    services.remove_skill(skill, by=viewer)
    messages.success(request, f"“{skill.topic}” is off your entry in the directory.")
    return redirect("knowledge:skills")


@login_required
def notes(request: SignedInRequest) -> HttpResponse:
    """Practice notes, searchable by words, pathway, offence type and agency, with how often each was used."""
    viewer = _staff(request)
    search = NoteSearchForm(
        request.GET or None, agencies=Agency.objects.order_by("name"), auto_id="search-%s"
    )
    found = selectors.practice_notes(
        words=_cleaned(search, "words"),
        pathway=_cleaned(search, "pathway"),
        offence_group=_cleaned(search, "offence_group"),
        agency_code=_cleaned(search, "agency"),
    )
    useful = set(
        PracticeNote.objects.filter(uses__by=viewer, uses__kind="useful").values_list("pk", flat=True)
    )
    return render(
        request,
        "knowledge/notes.html",
        {
            "search": search,
            "notes": found[:100],
            "useful": useful,
            "meetings": list(selectors.meetings_of(viewer)[:20]),
            "nav": NAV,
            "page_title": "Practice notes",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def write_note(request: SignedInRequest) -> HttpResponse:
    viewer = _staff(request)
    errors: dict[str, str] = {}
    form = PracticeNoteForm(request.POST or None, auto_id="%s")
    if request.method == "POST":
        form.is_valid()  # parses only: the service checks every rule and names the field at fault
        form.errors.clear()
        try:
            note = services.write_practice_note(by=viewer, **form.answers())
            messages.success(request, f"Your practice note “{note.title}” is shared with every partner.")
            return redirect("knowledge:notes")
        except InvalidInput as error:
            errors = _field_errors(form, error)
        except DomainError as error:
            raise PermissionDenied(error.message) from error
    return render_form_page(
        request,
        "knowledge/write_note.html",
        {"form": form, "nav": NAV},
        title="Write a practice note",
        errors=errors,
        error_status=422,
    )


@login_required
@require_POST
def mark_useful(request: SignedInRequest, note_id: int) -> HttpResponse:
    viewer = _staff(request)
    note = get_object_or_404(PracticeNote, pk=note_id)
    try:
        services.mark_useful(note, by=viewer)
        messages.success(request, f"You marked “{note.title}” useful.")
    except InvalidInput as error:
        messages.info(request, error.message)
    except DomainError as error:
        raise PermissionDenied(error.message) from error
    return redirect("knowledge:notes")


@login_required
@require_POST
def link_from_meeting(request: SignedInRequest, note_id: int) -> HttpResponse:
    """Count a use of the note: it was brought up at one of the viewer's meetings."""
    viewer = _staff(request)
    note = get_object_or_404(PracticeNote, pk=note_id)
    form = MeetingLinkForm(request.POST, meetings=selectors.meetings_of(viewer))
    if not form.is_valid():
        messages.info(request, "Choose one of the meetings you chaired, arranged or attended.")
        return redirect("knowledge:notes")
    try:
        services.link_to_meeting(note, form.cleaned_data["meeting"], by=viewer)
        messages.success(request, f"“{note.title}” is linked from the {form.cleaned_data['meeting']}.")
    except InvalidInput as error:
        messages.info(request, error.message)
    except DomainError as error:
        raise PermissionDenied(error.message) from error
    return redirect("knowledge:notes")
