"""Every figure of the health check equals what an independent, plain computation counts."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from iomshare.casework.models import AgendaPerson
from iomshare.exchange.models import ImportRun, RunStatus
from iomshare.governance.health import Verdict, health_check
from iomshare.information_requests.models import InformationRequest, RequestStatus
from iomshare.knowledge.models import NoteUse, OrganisationProfile, PracticeNote, Skill
from iomshare.partnership.models import Agency, Role, StaffMember, TrainingRecord
from iomshare.people.models import CohortMembership
from iomshare.protocols.models import Acknowledgement, Protocol, ProtocolStatus
from iomshare.records.models import InformationItem, ItemStatus
from iomshare.retention.models import LegalHold, PersonDates, RetentionReview, RetentionSchedule, ReviewStatus

pytestmark = pytest.mark.django_db
D = dt.timedelta


def pct(part, whole):
    return round(100 * part / whole, 1) if whole else None


def expected_figures(today: dt.date) -> dict:
    """Each figure counted row by row in Python, from the tables themselves."""
    year_ago = today - D(days=365)
    protocols = [p for p in Protocol.objects.all() if p.status == ProtocolStatus.ACTIVE]
    requests = list(InformationRequest.objects.all())
    recent = [
        r
        for r in requests
        if r.requested_at.astimezone().date() >= year_ago and r.requested_at.astimezone().date() <= today
    ]
    decided = [r for r in recent if r.decided_at]
    staff = [s for s in StaffMember.objects.all() if s.is_active and s.agency_id and s.role != Role.SYSTEM]
    records = list(TrainingRecord.objects.all())

    def latest(member, course):
        return max(r.expires_on for r in records if r.staff_member_id == member.pk and r.course == course)

    def courses(member):
        return {r.course for r in records if r.staff_member_id == member.pk}

    lapsed = {s.pk for s in staff if any(latest(s, c) < today for c in courses(s))}
    expiring = {
        s.pk
        for s in staff
        if s.pk not in lapsed and any(today <= latest(s, c) <= today + D(days=30) for c in courses(s))
    }
    vetted = [s for s in staff if s.vetting_level > 0]
    current = [
        m
        for m in CohortMembership.objects.all()
        if m.started_on <= today and (m.ended_on is None or m.ended_on >= today)
    ]
    dates = {d.person_id: d.last_contact_on for d in PersonDates.objects.all()}
    awaiting = [r for r in requests if r.status == RequestStatus.AWAITING_DECISION]
    items = list(InformationItem.objects.all())
    live = [i for i in items if i.status == ItemStatus.LIVE]
    reviews = [r for r in RetentionReview.objects.all() if r.status == ReviewStatus.OPEN]
    runs = [
        r
        for r in ImportRun.objects.all()
        if r.status == RunStatus.IMPORTED and r.created_at.date() >= year_ago
    ]
    agencies = list(Agency.objects.all())
    in_force = [p for p in protocols if p.ends_on is None or p.ends_on >= today]
    to_read = {(s.pk, p.pk) for s in staff for p in in_force if s.agency in p.parties.all()}
    read = {(a.staff_member_id, a.protocol_id) for a in Acknowledgement.objects.all()} & to_read
    return {
        "protocols.acknowledgements_expected": len(to_read),
        "protocols.acknowledged": len(read),
        "protocols.acknowledged_share": pct(len(read), len(to_read)),
        "protocols.in_force": sum(1 for p in protocols if p.ends_on is None or p.ends_on >= today),
        "protocols.review_overdue": sum(1 for p in protocols if p.review_on < today),
        "protocols.review_due_30_days": sum(
            1 for p in protocols if today <= p.review_on <= today + D(days=30)
        ),
        "protocols.requests_not_covered_12_months": sum(1 for r in recent if not r.covered_by_protocol),
        "protocols.requests_refused_12_months": sum(1 for r in recent if r.status == RequestStatus.REFUSED),
        "protocols.refusal_rate_12_months": pct(
            sum(1 for r in decided if r.status == RequestStatus.REFUSED), len(decided)
        ),
        "training.staff": len(staff),
        "training.expired": len(lapsed),
        "training.expiring_30_days": len(expiring),
        "training.none_recorded": sum(1 for s in staff if not courses(s)),
        "training.volunteers_expired": sum(1 for s in staff if s.is_volunteer and s.pk in lapsed),
        "vetting.expired": sum(1 for s in vetted if s.vetting_expires_on < today),
        "vetting.expiring_30_days": sum(
            1 for s in vetted if today <= s.vetting_expires_on <= today + D(days=30)
        ),
        "organisations.agencies": len(agencies),
        "organisations.assurance_lapsed": sum(
            1 for a in agencies if not a.assurance_expires_on or a.assurance_expires_on < today
        ),
        **expected_knowledge(today, agencies),
        "recording.cohort_members": len({m.person_id for m in current}),
        "recording.no_contact_28_days": len(
            {
                m.person_id
                for m in current
                if not dates.get(m.person_id) or dates[m.person_id] < today - D(days=28)
            }
        ),
        "retention.schedules": RetentionSchedule.objects.count(),
        "retention.agency_schedules": sum(1 for s in RetentionSchedule.objects.all() if s.holding_agency_id),
        "retention.open_reviews": len(reviews),
        "retention.reviews_older_than_30_days": sum(1 for r in reviews if r.opened_on < today - D(days=30)),
        "retention.oldest_review_days": max(((today - r.due_on).days for r in reviews), default=0),
        "retention.disposed_12_months": sum(
            1
            for r in RetentionReview.objects.all()
            if r.status == ReviewStatus.DISPOSED and r.decided_at.astimezone().date() >= year_ago
        ),
        "retention.items_disposed": sum(1 for i in items if i.status == ItemStatus.DISPOSED),
        "retention.holds": sum(1 for h in LegalHold.objects.all() if h.lifted_at is None),
        "forms.live_items": len(live),
        "forms.on_standard_form": sum(1 for i in live if i.form_code),
        "forms.share_on_standard_form": pct(sum(1 for i in live if i.form_code), len(live)),
        "forms.imports_12_months": len(runs),
        "forms.import_rows_12_months": sum(r.rows_read for r in runs),
        "forms.import_rejection_rate_12_months": pct(
            sum(r.rows_rejected for r in runs), sum(r.rows_read for r in runs)
        ),
        "bearing.cohort_members": len(current),
        "bearing.without_key_worker": sum(1 for m in current if not m.key_workers.exists()),
        "bearing.open_requests": len(awaiting),
        "bearing.overdue_requests": sum(1 for r in awaiting if r.due_on < today),
        "bearing.oldest_open_request_days": max(
            ((today - r.requested_at.astimezone().date()).days for r in awaiting), default=0
        ),
    }


def expected_knowledge(today: dt.date, agencies: list) -> dict:
    """Profiles, practice notes, uses and meeting minutes counted row by row, by the written rules."""
    year_ago, recent = today - D(days=365), today - D(days=90)
    profiles = {p.agency_id: p for p in OrganisationProfile.objects.all()}

    def complete(agency):
        p = profiles.get(agency.pk)
        sections = p and all([p.services, p.eligibility, p.offer_to_cohort, p.values])
        return bool(sections and (p.contact_mailbox or p.contact_phone) and p.reviewed_on >= year_ago)

    notes = [n for n in PracticeNote.objects.all() if year_ago <= n.written_at.astimezone().date() <= today]
    uses = [u for u in NoteUse.objects.all() if year_ago <= u.at.astimezone().date() <= today]
    discussed = [
        a for a in AgendaPerson.objects.select_related("meeting") if year_ago <= a.meeting.held_on <= today
    ]
    writing = {n.agency_id for n in notes}
    listing = {
        s.staff_member_id
        for s in Skill.objects.select_related("staff_member")
        if s.removed_at is None and s.staff_member.is_active
    }
    return {
        "organisations.complete_profiles": pct(sum(1 for a in agencies if complete(a)), len(agencies)),
        "organisations.without_complete_profile": sum(1 for a in agencies if not complete(a)),
        "knowledge.practice_notes": len(notes),
        "knowledge.note_uses": len(uses),
        "knowledge.notes_used": len({u.note_id for u in uses}),
        "knowledge.notes_written_90_days": sum(1 for n in notes if n.written_at.astimezone().date() > recent),
        "knowledge.note_uses_90_days": sum(1 for u in uses if u.at.astimezone().date() > recent),
        "knowledge.meeting_discussions": len(discussed),
        "knowledge.meeting_decisions": sum(1 for a in discussed if a.minutes_item_id),
        "knowledge.meeting_decisions_share": pct(
            sum(1 for a in discussed if a.minutes_item_id), len(discussed)
        ),
        "knowledge.practice_notes_per_agency": round(len(notes) / len(agencies), 1),
        "knowledge.agencies_without_notes": sum(1 for a in agencies if a.pk not in writing),
        "knowledge.staff_listing_skills": len(listing),
    }


def test_every_figure_equals_an_independent_count(partnership):
    figures = health_check(today=partnership.today).figures()
    expected = expected_figures(partnership.today)
    mismatched = {
        key: (figures.get(key), value) for key, value in expected.items() if figures.get(key) != value
    }
    assert not mismatched, f"page != independent count: {mismatched}"
    # the generated partnership exercises the figures (a zero everywhere would prove nothing)
    for key in [
        "training.expired",
        "training.expiring_30_days",
        "vetting.expired",
        "retention.open_reviews",
        "bearing.open_requests",
        "protocols.review_overdue",
        "recording.no_contact_28_days",
        "protocols.acknowledged",
        "organisations.complete_profiles",
        "knowledge.practice_notes",
        "knowledge.note_uses",
        "knowledge.meeting_decisions",
        "knowledge.agencies_without_notes",
        "knowledge.staff_listing_skills",
    ]:
        assert figures[key], key
    assert figures["protocols.acknowledged"] < figures["protocols.acknowledgements_expected"]


def test_tables_add_up_to_the_figures(partnership):
    check = health_check(today=partnership.today)
    tables = {table.key: table for section in check.sections for table in section.tables}
    figures = check.figures()
    assert sum(row[3] for row in tables["training.by_agency"].rows) == figures["training.expired"]
    readings = tables["protocols.acknowledged_by_agency"].rows
    assert sum(row[2] for row in readings) == figures["protocols.acknowledged"]
    assert sum(row[1] for row in readings) == figures["protocols.acknowledgements_expected"]
    assert (
        sum(row[1] for row in tables["knowledge.notes_by_month"].rows) == figures["knowledge.practice_notes"]
    )
    assert sum(row[2] for row in tables["knowledge.notes_by_month"].rows) == figures["knowledge.note_uses"]
    assert (
        sum(row[1] for row in tables["knowledge.notes_by_agency"].rows) == figures["knowledge.practice_notes"]
    )
    assert sum(row[2] for row in tables["knowledge.notes_by_agency"].rows) == figures["knowledge.note_uses"]
    assert sum(row[1] for row in tables["knowledge.by_agency"].rows) == figures["knowledge.practice_notes"]
    assert (
        sum(row[2] for row in tables["knowledge.by_agency"].rows) == figures["knowledge.staff_listing_skills"]
    )
    profiles = tables["organisations.profiles_by_agency"].rows
    assert [row[1] for row in profiles].count("Complete") == figures["organisations.complete_profiles"] * len(
        profiles
    ) / 100
    assert sum(row[1] for row in tables["forms.by_agency"].rows) == figures["forms.live_items"]
    assert (
        sum(row[1] for row in tables["retention.reviews_by_agency"].rows) == figures["retention.open_reviews"]
    )
    assert (
        sum(row[1] for row in tables["bearing.open_requests_by_agency"].rows)
        == figures["bearing.open_requests"]
    )
    gaps = tables["protocols.gaps"].rows
    assert sum(row[1] for row in gaps) == figures["protocols.requests_not_covered_12_months"]
    by_pair = Counter()
    for request in InformationRequest.objects.select_related(
        "requesting_agency", "holding_agency", "purpose"
    ):
        day = request.requested_at.astimezone().date()
        if not request.covered_by_protocol and check.today - D(days=365) <= day <= check.today:
            by_pair[
                f"{request.requesting_agency.name} from {request.holding_agency.name}: {request.purpose.name}"
            ] += 1
    assert {row[0]: row[1] for row in gaps if row[1]} == dict(by_pair)


def test_verdicts_follow_the_figures(partnership):
    check = health_check(today=partnership.today)
    verdicts = {section.slug: section.verdict for section in check.sections}
    assert verdicts["protocols"] == Verdict.ATTENTION  # one protocol is past its review date
    assert verdicts["training"] == Verdict.ATTENTION
    assert verdicts["organisations"] == Verdict.ATTENTION  # two agencies lack a complete profile
    assert verdicts["new-knowledge"] == Verdict.GOOD  # notes written and used in the last 90 days
    assert verdicts["tacit-knowledge"] == Verdict.ATTENTION  # some discussions have no minutes
    assert [section.number for section in check.sections] == list(range(1, 11))


def test_an_empty_partnership_needs_protocols_and_is_otherwise_good(db):
    check = health_check()
    verdicts = {section.slug: section.verdict for section in check.sections}
    assert verdicts["protocols"] == Verdict.ATTENTION  # none in force
    assert verdicts["training"] == Verdict.GOOD
    assert verdicts["bringing-everything-to-bear"] == Verdict.GOOD
    assert check.figures()["forms.share_on_standard_form"] is None
