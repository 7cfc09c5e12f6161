"""Questions 3, 8 and 9 of the health check: organisation profiles, practice notes, tacit knowledge.

Counts only, from knowledge's tables and the meetings' agenda (whether minutes with decisions were
recorded, never what they say): nothing about any person.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.urls import reverse

from iomshare.casework.models import AgendaPerson
from iomshare.governance.charts import bar_chart
from iomshare.governance.health.types import Figure, Link, Section, Table, Verdict, percent
from iomshare.knowledge.models import PROFILE_REVIEW_DAYS, REQUIRED_SECTIONS, NoteUse, PracticeNote, Skill
from iomshare.partnership.models import Agency

YEAR = dt.timedelta(days=365)
RECENT = dt.timedelta(days=90)  # practice notes are "alive" if written and used within this


def complete_profile(today: dt.date) -> Q:
    """The rule of a complete profile, on Agency: every required section filled, a contact, reviewed in 12 months."""
    rule = Q(profile__reviewed_on__gte=today - dt.timedelta(days=PROFILE_REVIEW_DAYS))
    for name, _ in REQUIRED_SECTIONS:
        rule &= ~Q(**{f"profile__{name}": ""})
    return rule & (~Q(profile__contact_mailbox="") | ~Q(profile__contact_phone=""))


def _skills_by_agency() -> dict[int, int]:
    return dict(
        Skill.objects.filter(removed_at__isnull=True, staff_member__is_active=True)
        .values("staff_member__agency")
        .annotate(n=Count("staff_member", distinct=True))
        .values_list("staff_member__agency", "n")
    )


def organisations(today: dt.date) -> Section:
    """Question 3: complete organisation profiles and security assurance in date, by agency."""
    agencies = list(
        Agency.objects.annotate(
            has_profile=Count("profile"),
            complete=Count("profile", filter=complete_profile(today)),
        ).values("id", "name", "assurance_expires_on", "has_profile", "complete", "profile__reviewed_on")
    )
    lapsed = sum(1 for a in agencies if not a["assurance_expires_on"] or a["assurance_expires_on"] < today)
    complete = sum(1 for a in agencies if a["complete"])
    share = percent(complete, len(agencies))
    figures = [
        Figure("organisations.agencies", "Agencies in the partnership", len(agencies)),
        Figure("organisations.assurance_lapsed", "Agencies with no security assurance in date", lapsed),
        Figure("organisations.complete_profiles", "Share of agencies with a complete profile", share, "%"),
        Figure(
            "organisations.without_complete_profile",
            "Agencies without a complete profile",
            len(agencies) - complete,
        ),
    ]
    good = complete == len(agencies) and not lapsed
    return Section(
        number=3,
        slug="organisations",
        question="Do we understand each organisation: its services, skills, values and ways of working?",
        verdict=Verdict.GOOD if good else Verdict.ATTENTION,
        summary=f"{figures[2].shown} of agencies have a complete profile; {lapsed} have no security assurance in date.",
        figures=figures,
        tables=[
            Table(
                "organisations.profiles_by_agency",
                "Organisation profiles, by agency",
                ["Agency", "Profile", "Last reviewed", "Assurance in date"],
                [
                    [
                        a["name"],
                        "Complete"
                        if a["complete"]
                        else ("Incomplete or review due" if a["has_profile"] else "Not written"),
                        _long_date(a["profile__reviewed_on"]) if a["profile__reviewed_on"] else "Never",
                        "Yes" if a["assurance_expires_on"] and a["assurance_expires_on"] >= today else "No",
                    ]
                    for a in agencies
                ],
            )
        ],
        links=[Link("Partner organisations", reverse("knowledge:organisations"))],
        not_answered="Good means every agency has a complete profile (services, eligibility, what it can offer "
        "the cohort, values and a team contact, reviewed in the last 12 months) and security assurance in date.",
        trend_key="organisations.complete_profiles",
    )


def _long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _months(today: dt.date) -> list[dt.date]:
    """First days of the calendar months the last 12 months touch, oldest first."""
    month = (today - YEAR).replace(day=1)
    months = []
    while month <= today:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def practice_notes(today: dt.date) -> Section:
    """Question 8: practice notes written and used in the last 12 months, by month and by agency."""
    since = today - YEAR
    written = PracticeNote.objects.filter(written_at__date__gte=since, written_at__date__lte=today)
    uses = NoteUse.objects.filter(at__date__gte=since, at__date__lte=today)
    by_month_written = dict(
        written.annotate(m=TruncMonth("written_at")).values("m").annotate(n=Count("id")).values_list("m", "n")
    )
    by_month_used = dict(
        uses.annotate(m=TruncMonth("at")).values("m").annotate(n=Count("id")).values_list("m", "n")
    )
    by_month_written = {_day(m): n for m, n in by_month_written.items()}
    by_month_used = {_day(m): n for m, n in by_month_used.items()}
    months = _months(today)
    written_by_agency = dict(written.values("agency").annotate(n=Count("id")).values_list("agency", "n"))
    used_by_agency = dict(
        uses.values("note__agency").annotate(n=Count("id")).values_list("note__agency", "n")
    )
    names = dict(Agency.objects.values_list("id", "name"))
    rows: list[list[str | int | float]] = sorted(
        [[names[pk], written_by_agency.get(pk, 0), used_by_agency.get(pk, 0)] for pk in names],
        key=lambda row: str(row[0]),
    )
    figures = [
        Figure("knowledge.practice_notes", "Practice notes written (12 months)", written.count()),
        Figure("knowledge.note_uses", "Times a practice note was used (12 months)", uses.count()),
        Figure(
            "knowledge.notes_used",
            "Practice notes used at least once (12 months)",
            uses.values("note").distinct().count(),
        ),
        Figure(
            "knowledge.notes_written_90_days",
            "Practice notes written (90 days)",
            written.filter(written_at__date__gt=today - RECENT).count(),
        ),
        Figure(
            "knowledge.note_uses_90_days",
            "Times a practice note was used (90 days)",
            uses.filter(at__date__gt=today - RECENT).count(),
        ),
    ]
    good = bool(figures[3].value and figures[4].value)
    return Section(
        number=8,
        slug="new-knowledge",
        question="Do we innovate, and share what we learn?",
        verdict=Verdict.GOOD if good else Verdict.ATTENTION,
        summary=f"{figures[0].shown} practice notes written in 12 months, used {figures[1].shown} times.",
        figures=figures,
        tables=[
            Table(
                "knowledge.notes_by_month",
                "Practice notes written and used, by month",
                ["Month", "Written", "Used"],
                [[f"{m:%B %Y}", by_month_written.get(m, 0), by_month_used.get(m, 0)] for m in months],
            ),
            Table(
                "knowledge.notes_by_agency",
                "Practice notes written and used in the last 12 months, by the agency that wrote them",
                ["Agency", "Written", "Used"],
                rows,
            ),
        ],
        chart=bar_chart(
            [f"{m:%B %Y}" for m in months],
            [
                ("Written", [by_month_written.get(m, 0) for m in months]),
                ("Used", [by_month_used.get(m, 0) for m in months]),
            ],
            title="Practice notes written and used, by month",
        ),
        links=[Link("Practice notes", reverse("knowledge:notes"))],
        not_answered="Good means at least one practice note was written, and one used (marked useful or "
        "linked from a meeting), in the last 90 days.",
        trend_key="knowledge.practice_notes",
    )


def _day(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def tacit_knowledge(today: dt.date) -> Section:
    """Question 9: meeting decisions recorded with their reasons; practice notes and skills by agency."""
    since = today - YEAR
    discussed = AgendaPerson.objects.filter(
        meeting__held_on__gte=since, meeting__held_on__lte=today
    ).aggregate(all=Count("id"), minuted=Count("id", filter=Q(minutes_item_id__isnull=False)))
    notes = dict(
        PracticeNote.objects.filter(written_at__date__gte=since, written_at__date__lte=today)
        .values("agency")
        .annotate(n=Count("id"))
        .values_list("agency", "n")
    )
    skills = _skills_by_agency()
    names = dict(Agency.objects.values_list("id", "name"))
    without_notes = sum(1 for pk in names if not notes.get(pk))
    share = percent(discussed["minuted"], discussed["all"])
    figures = [
        Figure("knowledge.meeting_discussions", "People discussed at meetings (12 months)", discussed["all"]),
        Figure(
            "knowledge.meeting_decisions",
            "Of them, with minutes and decisions recorded",
            discussed["minuted"],
        ),
        Figure("knowledge.meeting_decisions_share", "Share with decisions recorded", share, "%"),
        Figure(
            "knowledge.practice_notes_per_agency",
            "Practice notes per agency (12 months)",
            round(sum(notes.values()) / len(names), 1) if names else None,
        ),
        Figure(
            "knowledge.agencies_without_notes", "Agencies with no practice note (12 months)", without_notes
        ),
        Figure(
            "knowledge.staff_listing_skills", "Staff listing skills in the directory", sum(skills.values())
        ),
    ]
    good = discussed["minuted"] == discussed["all"] and not without_notes
    return Section(
        number=9,
        slug="tacit-knowledge",
        question="Do we capture what people know but never write down?",
        verdict=Verdict.GOOD if good else Verdict.ATTENTION,
        summary=f"{figures[2].shown} of discussions at meetings have decisions recorded; "
        f"{without_notes} {'agency' if without_notes == 1 else 'agencies'} wrote no practice note in 12 months.",
        figures=figures,
        tables=[
            Table(
                "knowledge.by_agency",
                "Practice notes (12 months) and staff listing skills, by agency",
                ["Agency", "Practice notes", "Staff listing skills"],
                sorted([[name, notes.get(pk, 0), skills.get(pk, 0)] for pk, name in names.items()]),
            )
        ],
        links=[
            Link("Skills directory", reverse("knowledge:skills")),
            Link("Practice notes", reverse("knowledge:notes")),
        ],
        not_answered="Good means every person discussed at a meeting in the last 12 months has minutes with "
        "the decisions recorded, and every agency wrote at least one practice note in that time.",
        trend_key="knowledge.meeting_decisions_share",
    )
