"""Reads for the knowledge pages and the health check: profiles, the skills directory, practice notes."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from iomshare.casework.models import Meeting
from iomshare.knowledge.models import OrganisationProfile, PracticeNote, Skill
from iomshare.partnership.models import Agency


def agencies_with_profiles() -> list[Agency]:
    """Every agency, each with `.knowledge_profile` (None if it has written none)."""
    profiles = {p.agency_id: p for p in OrganisationProfile.objects.all()}
    agencies = list(Agency.objects.order_by("name"))
    for agency in agencies:
        agency.knowledge_profile = profiles.get(agency.pk)  # type: ignore[attr-defined]
    return agencies


def profile_of(agency: Agency) -> OrganisationProfile | None:
    return OrganisationProfile.objects.filter(agency=agency).select_related("reviewed_by").first()


def skills_directory(*, topic: str = "", agency_code: str = "") -> QuerySet[Skill]:
    """Skills listed now by active staff, matching a topic's words and an agency, if given."""
    found = Skill.objects.filter(removed_at__isnull=True, staff_member__is_active=True).select_related(
        "staff_member", "staff_member__agency"
    )
    for word in topic.lower().split()[:8]:
        found = found.filter(Q(topic_key__contains=word) | Q(detail__icontains=word))
    if agency_code:
        found = found.filter(staff_member__agency__code=agency_code)
    return found.order_by("topic_key", "staff_member__last_name", "id")


def skills_of(staff_member) -> QuerySet[Skill]:
    return Skill.objects.filter(staff_member=staff_member, removed_at__isnull=True).order_by("topic_key")


def practice_notes(
    *, words: str = "", pathway: str = "", offence_group: str = "", agency_code: str = ""
) -> QuerySet[PracticeNote]:
    """Practice notes matching every word (title or lesson) and the tags given, with `used` counted."""
    found = PracticeNote.objects.select_related("pathway", "offence_group", "agency", "author")
    for word in words.split()[:8]:
        found = found.filter(Q(title__icontains=word) | Q(lesson__icontains=word))
    if pathway:
        found = found.filter(pathway__code=pathway, pathway__scheme__code="pathway")
    if offence_group:
        found = found.filter(offence_group__code=offence_group, offence_group__scheme__code="offence_group")
    if agency_code:
        found = found.filter(agency__code=agency_code)
    return found.annotate(used=Count("uses")).order_by("-written_at", "-id")


def meetings_of(staff_member) -> QuerySet[Meeting]:
    """Meetings `staff_member` chaired, arranged or attended: those they may link a practice note from."""
    return (
        Meeting.objects.filter(
            Q(chair=staff_member) | Q(created_by=staff_member) | Q(attendees__staff=staff_member)
        )
        .distinct()
        .order_by("-held_on", "-id")
    )
