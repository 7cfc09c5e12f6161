"""The demo's organisation profiles, skills directory and practice notes (issue 16, item 3).

Made through knowledge's services, so every practice note passes the check that it names nobody
from the (synthetic) cohort. One profile is left stale and one agency writes none, so the health
check has something to point at.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from iomshare.errors import InvalidInput
from iomshare.knowledge import services
from iomshare.knowledge.models import OrganisationProfile, PracticeNote
from iomshare.partnership.models import Agency, StaffMember

PROFILES = {
    # agency code: (services, eligibility, offer to the cohort, values, mailbox, phone)
    "police": (
        "Neighbourhood policing, offender management and the IOM team's daily tasking.",
        "Everyone in Northshire.",
        "A named IOM officer for every Fixed and Flex cohort member, and joint home visits.",
        "Prevent harm first; share early, record why.",
        "iom.team@police.example",
        "01632 960100",
    ),
    "probation": (
        "Supervision on licence and community orders, approved premises and accredited programmes.",
        "Adults sentenced in Northshire courts or released to Northshire.",
        "Case conferences for the cohort, and a seat on the complex case panel.",
        "Rehabilitation through relationships; public protection in every decision.",
        "iom.probation@probation.example",
        "01632 960200",
    ),
    "prison": (
        "Custody, resettlement planning and the pre-release board.",
        "People held at HMP Northshire.",
        "Release plans shared twelve weeks before release.",
        "Decency, safety and rehabilitation.",
        "resettlement@prison.example",
        "",
    ),
    "council": (
        "Housing options, homelessness prevention and supported accommodation.",
        "Adults with a local connection to Northshire.",
        "Priority assessment before release for Fixed cohort members.",
        "Housing first: we do not close a case for a missed appointment.",
        "iom.housing@council.example",
        "01632 960400",
    ),
    "health": (
        "Drug and alcohol treatment, criminal justice liaison and diversion.",
        "Anyone in Northshire; same-day prescribing for prison leavers.",
        "Continuity of treatment on release, with a recovery worker who meets people at the gate.",
        "Recovery is possible for everyone.",
        "",
        "",  # left unfinished: no contact, so the profile is incomplete
    ),
}
STALE = "prison"  # reviewed more than a year ago, so not complete
SKILLS = [
    ("police.practitioner", "Welsh language", "Can join interviews and home visits in Welsh."),
    ("police.practitioner2", "Accommodation for people convicted of sexual offences", ""),
    ("probation.practitioner", "Approved premises referrals", ""),
    ("probation.practitioner2", "Domestic abuse perpetrator programmes", ""),
    (
        "council.practitioner",
        "Accommodation for people convicted of sexual offences",
        "Knows which landlords accept them.",
    ),
    ("council.practitioner", "Rent arrears and tenancy rescue", ""),
    ("health.practitioner", "Opioid substitution on release", ""),
    ("health.practitioner2", "Mental health assessments", ""),
    ("charity.practitioner", "Volunteering placements", ""),
    ("charity.practitioner", "Gambling harm", ""),
]
NOTES = [
    # (author, title, lesson, pathway, offence group, learned from, days ago)
    (
        "council.practitioner",
        "Tenancy agreed before release",
        "A man in his thirties kept his tenancy because the housing officer met him in prison two weeks "
        "before release and the first rent was paid from a discretionary fund.",
        "accommodation",
        "burglary",
        "case",
        12,
    ),
    (
        "health.practitioner",
        "Same-day prescribing stops the first-week relapse",
        "Three prison leavers relapsed in the first week when the first appointment was days after release; "
        "same-day prescribing at the gate has stopped that.",
        "drugs_and_alcohol",
        "",
        "meeting",
        40,
    ),
    (
        "probation.practitioner",
        "Ask the charity before placing a volunteer",
        "A placement nearly broke down because the charity did not know the licence conditions; agree what "
        "the charity may be told before the first day.",
        "education_training_employment",
        "",
        "case",
        75,
    ),
    (
        "police.practitioner",
        "Joint home visits build trust faster",
        "Visiting with the recovery worker, not alone, made a young woman willing to talk about who was "
        "exploiting her.",
        "attitudes_thinking_behaviour",
        "",
        "meeting",
        150,
    ),
]
USEFUL = [
    ("probation.practitioner", 0),
    ("police.practitioner", 0),
    ("council.practitioner", 1),
    ("charity.practitioner", 2),
]


def load_demo_knowledge(rng: random.Random, today: dt.date) -> int:
    """Profiles, skills and practice notes for the demo agencies; returns the notes written."""
    staff = {member.username: member for member in StaffMember.objects.select_related("agency")}
    for code, (offered, eligibility, offer, values, mailbox, phone) in PROFILES.items():
        agency = Agency.objects.get(code=code)
        services.save_profile(
            agency,
            by=staff[f"{code}.ig"],
            services=offered,
            eligibility=eligibility,
            offer_to_cohort=offer,
            values=values,
            contact_mailbox=mailbox,
            contact_phone=phone,
            contact_hours="Monday to Friday, 9am to 5pm" if mailbox or phone else "",
        )
    OrganisationProfile.objects.filter(agency__code=STALE).update(reviewed_on=today - dt.timedelta(days=400))
    for username, topic, detail in SKILLS:
        services.add_skill(by=staff[username], topic=topic, detail=detail)
    notes = []
    for username, title, lesson, pathway, offence_group, learned_from, days_ago in NOTES:
        note = services.write_practice_note(
            by=staff[username],
            title=title,
            lesson=lesson,
            pathway=pathway,
            offence_group=offence_group,
            learned_from=learned_from,
        )
        written = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=days_ago), dt.time(10)))
        PracticeNote.objects.filter(pk=note.pk).update(written_at=written)
        notes.append(note)
    for username, index in USEFUL:
        try:
            services.mark_useful(notes[index], by=staff[username])
        except InvalidInput:
            continue  # the author of the note: others mark it useful
    return len(notes)
