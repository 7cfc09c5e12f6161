"""The demo's organisation profiles, skills and practice notes: some complete, none naming anyone."""

import pytest

from iomshare.demo import Scale, load_demo
from iomshare.governance.health import Verdict, health_check
from iomshare.knowledge.models import NoteUse, OrganisationProfile, PracticeNote, Skill
from iomshare.knowledge.naming import personal_details_in

pytestmark = pytest.mark.django_db


def test_the_demo_has_profiles_skills_and_practice_notes_that_name_nobody():
    load_demo(scale=Scale(people=40, items=300), with_protocols_and_vocabulary=False)
    complete = sorted(p.agency.code for p in OrganisationProfile.objects.all() if p.is_complete())
    assert complete == ["council", "police", "probation"]  # the prison's is stale, health's has no contact
    assert Skill.objects.filter(topic_key__contains="accommodation").count() == 2
    assert PracticeNote.objects.count() == 4 and NoteUse.objects.exists()
    for note in PracticeNote.objects.all():  # the demo's own cohort is in the database by now
        assert not personal_details_in(f"{note.title}\n{note.lesson}")
    sections = {section.slug: section for section in health_check(with_trends=False).sections}
    assert sections["organisations"].verdict == Verdict.ATTENTION
    assert sections["new-knowledge"].verdict == Verdict.GOOD
