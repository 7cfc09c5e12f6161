"""Business actions on profiles, skills and practice notes: one function each, `by=` the actor.

Each change is history (a revision, a dated skill, a dated use); a profile edit is also a governance
action on the ledger. A practice note that names a known person or carries an identifier is refused
whole, saying which words and why (knowledge.naming), and nothing is saved.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from iomshare.casework.models import Meeting
from iomshare.errors import InvalidInput, NotPermitted
from iomshare.knowledge.models import (
    REQUIRED_SECTIONS,
    LearnedFrom,
    NoteUse,
    OrganisationProfile,
    PracticeNote,
    ProfileRevision,
    Skill,
    UseKind,
)
from iomshare.knowledge.naming import personal_details_in
from iomshare.ledger import services as ledger
from iomshare.ledger.models import Action
from iomshare.partnership.models import Agency, Role, StaffMember
from iomshare.vocabulary.models import Concept

PROFILE_EDITOR_ROLES = frozenset({Role.PARTNERSHIP_MANAGER, Role.IG_LEAD, Role.ADMIN})
PROFILE_FIELDS = [name for name, _ in REQUIRED_SECTIONS] + [
    "contact_mailbox",
    "contact_phone",
    "contact_hours",
]
MAX_SECTION = 3000
MAX_LESSON = 1500
MAX_TITLE = 120


def may_edit_profile(agency: Agency, *, by: StaffMember) -> bool:
    """Only the agency's own partnership manager, information-governance lead or administrator."""
    return by.is_active and by.agency_id == agency.pk and by.role in PROFILE_EDITOR_ROLES


def save_profile(agency: Agency, *, by: StaffMember, **sections: str) -> OrganisationProfile:
    """Write the agency's profile; saving it is also reviewing it (the date a complete profile needs)."""
    if not may_edit_profile(agency, by=by):
        raise NotPermitted(
            f"Only a partnership manager, information-governance lead or administrator of {agency.name} "
            "can change its profile."
        )
    values = {name: str(sections.get(name, "")).strip() for name in PROFILE_FIELDS}
    errors = {
        name: f"Keep this to {MAX_SECTION} characters or fewer"
        for name in PROFILE_FIELDS
        if len(values[name]) > MAX_SECTION
    }
    if values["contact_mailbox"]:
        try:
            validate_email(values["contact_mailbox"])
        except ValidationError:
            errors["contact_mailbox"] = "Enter the mailbox as an email address, like iom.team@example.org"
    if errors:
        raise InvalidInput("The profile was not saved: correct the problems listed.", field_errors=errors)
    with transaction.atomic():
        profile, _ = OrganisationProfile.objects.select_for_update().get_or_create(agency=agency)
        changed = [name for name in PROFILE_FIELDS if getattr(profile, name) != values[name]]
        for name in PROFILE_FIELDS:
            setattr(profile, name, values[name])
        profile.reviewed_on = timezone.localdate()
        profile.reviewed_by = by
        profile.save()
        ProfileRevision.objects.create(profile=profile, by=by, changed=changed)
        ledger.record(
            Action.ADMIN_CHANGE,
            by=by,
            details={"organisation_profile": agency.code, "changed": changed, "reviewed": True},
        )
    return profile


def add_skill(*, by: StaffMember, topic: str, detail: str = "") -> Skill:
    """List something `by` can be asked about, on their own entry in the directory."""
    topic, detail = " ".join((topic or "").split()), (detail or "").strip()
    errors = {}
    if not topic:
        errors["topic"] = "Enter what you can be asked about, for example Welsh language"
    elif len(topic) > 120:
        errors["topic"] = "Keep the topic to 120 characters or fewer"
    if len(detail) > 300:
        errors["detail"] = "Keep the detail to 300 characters or fewer"
    if (
        topic
        and Skill.objects.filter(staff_member=by, topic_key=topic.lower(), removed_at__isnull=True).exists()
    ):
        errors["topic"] = f"You already list “{topic}”"
    if not errors:
        findings = personal_details_in(f"{topic}\n{detail}")
        if findings:
            errors["topic"] = _refusal(findings)
    if errors:
        raise InvalidInput("The skill was not added: correct the problems listed.", field_errors=errors)
    if by.agency_id is None or by.role == Role.SYSTEM:
        raise NotPermitted("Only staff of an agency can list skills.")
    return Skill.objects.create(staff_member=by, topic=topic, detail=detail)


def remove_skill(skill: Skill, *, by: StaffMember) -> None:
    """Take a skill off `by`'s own entry; the row stays, dated, as history."""
    if skill.staff_member_id != by.pk:
        raise NotPermitted("You can change only your own skills.")
    if skill.removed_at is None:
        skill.removed_at = timezone.now()
        skill.save(update_fields=["removed_at"])


def _refusal(findings) -> str:
    listed = "; ".join(str(finding) for finding in findings)
    return (
        f"Practice notes must not identify anyone: {listed}. Describe the person instead "
        "(for example “a man in his thirties”) and leave identifiers out."
    )


def write_practice_note(  # noqa: C901 (one check per field of the note, each reported at once)
    *,
    by: StaffMember,
    title: str,
    lesson: str,
    pathway: str,
    offence_group: str = "",
    learned_from: str,
) -> PracticeNote:
    """Publish a de-personalised lesson to every partner; refused whole if it identifies anyone."""
    if by.agency_id is None or by.role == Role.SYSTEM:
        raise NotPermitted("Only staff of an agency can write practice notes.")
    title, lesson = " ".join((title or "").split()), (lesson or "").strip()
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = "Enter a title that says what the lesson is about"
    elif len(title) > MAX_TITLE:
        errors["title"] = f"Keep the title to {MAX_TITLE} characters or fewer"
    if not lesson:
        errors["lesson"] = "Enter the lesson learned"
    elif len(lesson) > MAX_LESSON:
        errors["lesson"] = f"Keep the lesson to {MAX_LESSON} characters or fewer: it is a short note"
    for name, text in (("title", title), ("lesson", lesson)):
        findings = personal_details_in(text) if name not in errors else []
        if findings:
            errors[name] = _refusal(findings)
    pathway_concept = Concept.objects.filter(scheme__code="pathway", code=pathway).first()
    if pathway_concept is None:
        errors["pathway"] = "Choose the pathway the lesson is about"
    offence_concept = None
    if offence_group:
        offence_concept = Concept.objects.filter(scheme__code="offence_group", code=offence_group).first()
        if offence_concept is None:
            errors["offence_group"] = "Choose an offence type from the list, or none"
    if learned_from not in LearnedFrom.values:
        errors["learned_from"] = "Say whether the lesson came from a case, a meeting or other work"
    if errors or pathway_concept is None:
        raise InvalidInput(
            "The practice note was not saved: correct the problems listed.", field_errors=errors
        )
    return PracticeNote.objects.create(
        title=title,
        lesson=lesson,
        pathway=pathway_concept,
        offence_group=offence_concept,
        learned_from=learned_from,
        author=by,
        agency_id=by.agency_id,
    )


def _agency_of(by: StaffMember) -> int:
    """`by`'s agency: every use is counted for an agency, so staff with none cannot make one."""
    if by.agency_id is None:
        raise NotPermitted("Only staff of an agency can use practice notes.")
    return by.agency_id


def mark_useful(note: PracticeNote, *, by: StaffMember) -> NoteUse:
    """Count one use of the note: `by` found it useful (once each, never their own)."""
    if by.agency_id is None or by.role == Role.SYSTEM:
        raise NotPermitted("Only staff of an agency can mark a practice note useful.")
    if note.author_id == by.pk:
        raise InvalidInput(
            "You wrote this note: others mark it useful.", field_errors={"useful": "You wrote this note"}
        )
    try:
        with transaction.atomic():
            return NoteUse.objects.create(note=note, kind=UseKind.USEFUL, by=by, agency_id=_agency_of(by))
    except IntegrityError:
        raise InvalidInput(
            "You have already marked this note useful.", field_errors={"useful": "Already marked useful"}
        ) from None


def link_to_meeting(note: PracticeNote, meeting: Meeting, *, by: StaffMember) -> NoteUse:
    """Count one use of the note: it was brought to `meeting` by someone who chaired, arranged or attended it."""
    took_part = (
        by.pk in {meeting.chair_id, meeting.created_by_id} or meeting.attendees.filter(staff=by).exists()
    )
    if not took_part:
        raise NotPermitted(
            "Only someone who chaired, arranged or attended a meeting can link a note from it."
        )
    try:
        with transaction.atomic():
            return NoteUse.objects.create(
                note=note, kind=UseKind.MEETING, by=by, agency_id=_agency_of(by), meeting=meeting
            )
    except IntegrityError:
        raise InvalidInput(
            "This note is already linked from that meeting.", field_errors={"meeting": "Already linked"}
        ) from None
