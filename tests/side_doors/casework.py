"""The crawl's casework: real objects behind every id the crawler fills, each about one of the
world's people, with that person's name marker in any free text a real user could fill.

Made through the project's own services wherever one exists, so the objects are what a real
partnership holds; the few made directly (a retention review, a linkage run, a review case) are
the sweep's and the linker's own rows, which no service makes one at a time. The name marker
(`person_marker`) is what the reference model already rules on: only a role that may know the
person may see it, so a page that shows one of these objects to anyone else fails the crawl.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

from django.utils import timezone

from iomshare.alerts import outbox, webhooks
from iomshare.alerts.models import Notification, WebhookEndpoint
from iomshare.alerts.services import notify
from iomshare.casework.meetings import arrange_meeting, record_minutes
from iomshare.casework.models import Action
from iomshare.casework.services import raise_action
from iomshare.demo.import_profiles import load_demo_import_profiles
from iomshare.demo.local_terms import load_demo_local_terms
from iomshare.exchange import import_runs
from iomshare.exchange.models import ImportProfile
from iomshare.identity import services as identity
from iomshare.identity.models import LinkageModel, LinkageRun, MergeReason, ReviewCase
from iomshare.information_requests.services import make_request
from iomshare.knowledge.services import add_skill, write_practice_note
from iomshare.partnership.models import Role
from iomshare.people.models import AccessListEntry, AgencyIdentifier
from iomshare.people.services import refer_for_cohort
from iomshare.protocols.consent import record_consent
from iomshare.protocols.editing import ask_for_changes
from iomshare.protocols.models import ConsentMethod
from iomshare.protocols.services import new_version
from iomshare.retention.models import RetentionReview
from iomshare.retention.services import place_legal_hold
from iomshare.service_referrals.exchanges import record_exchange
from iomshare.service_referrals.services import offer_service, refer_to_service
from iomshare.subject_access import services as sar_services
from tests.factories import PersonFactory, StaffMemberFactory

MISSING = "999999"  # an id no object has: its page must answer 404 without leaking


def about(marker: str) -> str:
    """Free text a practitioner could write about a person, naming them."""
    return f"Concerns about Sam {marker}: seen with known associates near the station last week."


def add_casework(
    world, person_marker: Callable[[str], str], *, subject_access: tuple[str, str, str]
) -> dict[str, list[str]]:
    """Make the casework objects and return, per URL parameter, the ids of the real ones.

    `subject_access` is (person, coordinating agency, marker) of the subject access request: its
    coordinator's free text carries the marker, which fewer roles may see than the person's name.
    """
    staff, people, agencies = world.staff, world.people, world.agencies
    today = timezone.localdate()
    ids: dict[str, list[str]] = {}

    # Referral to the cohort: probation refers p3, whom only probation knows.
    referral = refer_for_cohort(
        by=staff["probation_practitioner"],
        person=people["p3"],
        source="partner_concern",
        reason=about(person_marker("p3")),
    )
    ids["referral_id"] = [str(referral.pk)]

    # Requests for information: police ask probation about p4 (hidden from the excluded officer),
    # probation ask police about p2 (unknown to the charity).
    requests = [
        make_request(
            by=staff[by],
            person=people[person],
            holding_agency=holder,
            category=category,
            purpose="risk_management",
            legal_gateway="cda-1998-s115",
            justification=about(person_marker(person)),
            urgency="urgent",
        )
        for by, person, holder, category in (
            ("police_practitioner", "p4", "probation", "risk"),
            ("probation_practitioner", "p2", "police", "offending"),
        )
    ]

    # A subject access request, identity proved and the deadline extended by its coordinator.
    sar_person, coordinator, sar_marker = subject_access
    coordinator_ig = staff[f"{coordinator}_ig"]
    sar = sar_services.record_request(
        people[sar_person], received_on=today - dt.timedelta(days=3), made_by="person", by=coordinator_ig
    )
    sar_services.record_identity_check(
        sar, checked_on=today, method=f"Passport seen ({sar_marker})", by=coordinator_ig
    )
    sar.refresh_from_db()
    sar_services.extend_deadline(
        sar, months=1, reason=f"{about(person_marker(sar_person))} Complex ({sar_marker})", by=coordinator_ig
    )
    ids["request_id"] = [str(r.pk) for r in requests] + [str(sar.pk)]

    # Consent p4 gave probation, recorded with notes naming him.
    consent = record_consent(
        people["p4"],
        agencies["probation"],
        None,
        given_on=today - dt.timedelta(days=2),
        expires_on=None,
        method=ConsentMethod.WRITTEN,
        notes=about(person_marker("p4")),
        by=staff["probation_practitioner"],
    )
    ids["consent_id"] = [str(consent.pk)]

    # A legal hold on everything about p3, and one on a p4 item.
    p4_item = next(
        i for i in world.items if i.person_id == people["p4"].pk and i.holding_agency.code == "probation"
    )
    holds = [
        place_legal_hold(by=staff["probation_ig"], reason=about(person_marker("p3")), person=people["p3"]),
        place_legal_hold(by=staff["probation_ig"], reason=about(person_marker("p4")), item_id=p4_item.pk),
    ]
    ids["hold_id"] = [str(h.pk) for h in holds]

    # A retention review the sweep opened on a p3 item (the sweep's own row: no service opens one).
    p3_item = next(i for i in world.items if i.person_id == people["p3"].pk)
    review = RetentionReview.objects.create(
        item_id=p3_item.pk,
        person=people["p3"],
        holding_agency=p3_item.holding_agency,
        category=p3_item.category,
        recorded_at=timezone.now() - dt.timedelta(days=3000),
        schedule=None,
        rule="Kept 6 years from the date recorded",
        due_on=today - dt.timedelta(days=5),
        opened_on=today,
        held_at_sweep=False,
    )
    ids["review_id"] = [str(review.pk)]

    # Notifications: probation told about p3, the police officer told about p4.
    notes = [
        *notify(
            [staff["probation_practitioner"]],
            message=about(person_marker("p3")),
            link=f"/cohort/people/{people['p3'].pk}/",
            reason="crawl",
            person=people["p3"],
        ),
        *notify(
            [staff["police_practitioner"]],
            message=about(person_marker("p4")),
            link=f"/cohort/people/{people['p4'].pk}/",
            reason="crawl",
            person=people["p4"],
        ),
    ]
    assert len(notes) == 2

    # Webhook deliveries: the police system's endpoint told of a p2 change, probation's of p3.
    probation_system = StaffMemberFactory(
        username="probation_system", agency=agencies["probation"], role=Role.SYSTEM
    )
    deliveries = []
    for account, person in ((staff["police_system"], "p2"), (probation_system, "p3")):
        endpoint = WebhookEndpoint.objects.create(
            agency=account.agency,
            account=account,
            url="http://127.0.0.1:9/hook",
            secret=webhooks.new_secret(),
        )
        event = outbox.event("cohort_change", person_id=people[person].pk, by_id=None)
        deliveries += webhooks.deliveries_for(event, [endpoint])
    ids["delivery_id"] = [str(d.pk) for d in deliveries]

    # Identity: probation's source records of p3 (one too bare to match), a review case and a
    # conflict between two of them in a linkage run, and a duplicate of p3 merged into p3.
    def receive(key: str, **fields) -> object:
        data = {"record_key": key, "given_name": "Sam", "family_name": person_marker("p3"), **fields}
        return identity.receive_record(
            agency=agencies["probation"], data=data, provenance=f"crawl {person_marker('p3')}", match=False
        ).record

    records = [
        receive("crawl-1", date_of_birth="1990-01-02", postcode="NS1 1AA"),
        receive("crawl-2", date_of_birth="1990-01-02", postcode="NS1 1AB"),
        identity.receive_record(
            agency=agencies["probation"],
            data={"record_key": "crawl-3", "family_name": person_marker("p3")},
            provenance="crawl",
            match=False,
        ).record,
    ]
    for record in records[:2]:
        record.person = people["p3"]
        record.save(update_fields=["person"])
    model = LinkageModel.objects.create(
        splink_version="5",
        model={"comparisons": [], "probability_two_random_records_match": 1e-4},  # trained on nothing
        records_trained_on=0,
        training_seconds=0.0,
        training_steps=["crawl"],
        lower_threshold=0.5,
        upper_threshold=0.95,
    )
    run = LinkageRun.objects.create(model=model, started_by=staff["probation_ig"], records=3, review_cases=1)
    case = ReviewCase.objects.create(
        record_a=records[0],
        record_b=records[1],
        match_probability=0.7,
        match_weight=1.5,
        weights={},
        model=model,
        run=run,
    )
    conflict = identity._open_conflict([r.pk for r in records[:2]], ["Different dates of birth"], run=run)
    duplicate = PersonFactory(given_name="Sam", family_name=person_marker("p3"))
    merge = identity.merge_people(
        people["p3"],
        duplicate,
        reason=MergeReason.REVIEW,
        by=staff["probation_ig"],
        rationale=about(person_marker("p3")),
    )
    ids["record_id"] = [str(r.pk) for r in records]
    ids["case_id"] = [str(case.pk), str(conflict.pk)]
    ids["merge_id"] = [str(merge.pk)]
    ids["run_id"] = [str(run.pk), str(_import_run(world, person_marker).pk), str(uuid.UUID(int=1))]

    # A draft next version of the first protocol, sent back once: its editor and changes pages.
    draft = new_version(world.protocols[0], by=staff["probation_ig"])
    ask_for_changes(draft, by=staff["police_ig"], comments="Clause 1: name the recipients' roles.")
    ids["protocol_id"] = [str(draft.pk)]
    ids["clause_number"] = ["1"]
    # Actions and a case conference (casework): probation raises actions about p3 and p4 (one owned
    # by the agency, one overdue), and holds a case conference about both with a police officer,
    # minuting p3 and raising an action from the minutes.
    practitioner = staff["probation_practitioner"]
    raised = [
        raise_action(
            by=practitioner,
            person=people["p3"],
            description=about(person_marker("p3")),
            due_on=today,
            owner=practitioner,
        ),
        raise_action(
            by=practitioner,
            person=people["p4"],
            description=about(person_marker("p4")),
            due_on=today + dt.timedelta(days=1),
            owning_agency=agencies["probation"],
        ),
    ]
    Action.objects.filter(pk=raised[0].pk).update(due_on=today - dt.timedelta(days=2))
    meeting = arrange_meeting(
        by=staff["probation_ig"],
        kind="case_conference",
        held_on=today,
        chair=practitioner,
        purpose="case_conference",
        agencies=[agencies["probation"], agencies["police"]],
        attendees=[staff["police_practitioner"]],
        people=[people["p3"], people["p4"]],
    )
    record_minutes(
        meeting,
        people["p3"],
        minutes=about(person_marker("p3")),
        decisions=about(person_marker("p3")),
        by=practitioner,
    )
    raised.append(
        raise_action(
            by=practitioner,
            person=people["p3"],
            description=about(person_marker("p3")),
            due_on=today,
            owner=practitioner,
            raised_from="meeting",
            meeting=meeting,
        )
    )
    ids["action_id"] = [str(a.pk) for a in raised]
    ids["meeting_id"] = [str(meeting.pk)]
    ids.update(_service_referrals(world, person_marker))
    ids.update(_knowledge(world))

    # Every access-list entry and notification, including those the services above made on the way.
    ids["entry_id"] = [str(pk) for pk in AccessListEntry.objects.values_list("pk", flat=True)]
    ids["notification_id"] = [str(pk) for pk in Notification.objects.values_list("pk", flat=True)]
    # One id may name two kinds of object (a request for information and a subject access request).
    return {name: list(dict.fromkeys([*values, MISSING])) for name, values in ids.items()}


def _knowledge(world) -> dict[str, list[str]]:
    """A skill and a practice note: knowledge names nobody from the cohort, so every role may see them."""
    skill = add_skill(by=world.staff["police_practitioner"], topic="Welsh language")
    note = write_practice_note(
        by=world.staff["probation_practitioner"],
        title="Tenancy before release",
        lesson="A tenancy agreed before release kept a man housed.",
        pathway="accommodation",
        learned_from="case",
    )
    return {"skill_id": [str(skill.pk)], "note_id": [str(note.pk)]}


def _service_referrals(world, person_marker: Callable[[str], str]) -> dict[str, list[str]]:
    """Probation refers p4 (hidden from the excluded officer) to a police service, sending the
    probation risk item the risk-management clause shares with police practitioners, and records a
    conversation with the charity about p1 (what was said is a probation item naming him)."""
    staff, people = world.staff, world.people
    offer = offer_service(
        by=staff["police_ig"],
        name="Integrated diversion scheme",
        kind="other",
        purpose="risk_management",
        contact=staff["police_practitioner"],
    )
    risk = next(
        i
        for i in world.items
        if i.person_id == people["p4"].pk
        and i.holding_agency.code == "probation"
        and i.category.code == "risk"
        and i.sensitivity == 1
    )
    referral = refer_to_service(
        by=staff["probation_practitioner"],
        person=people["p4"],
        service=offer,
        reason=about(person_marker("p4")),
        item_ids=[risk.pk],
    )
    exchange = record_exchange(
        by=staff["probation_practitioner"],
        person=people["p1"],
        other_agency="charity",
        other_person="Charity coordinator",
        channel="co_located",
        happened_on=timezone.localdate(),
        what=about(person_marker("p1")),
    )
    return {"service_referral_id": [str(referral.pk)], "exchange_id": [str(exchange.pk)]}


def _import_run(world, person_marker: Callable[[str], str]):
    """Probation's contacts extract about p3, one row imported and one rejected, both naming him.

    Run in this process (IOMSHARE_IMPORTS_IN_BACKGROUND off, set by the crawl), as the import page does.
    """
    load_demo_local_terms()
    load_demo_import_profiles()
    crn = AgencyIdentifier.objects.get(person=world.people["p3"], agency=world.agencies["probation"]).value
    notes = about(person_marker("p3"))
    extract = (
        "CONTACT_ID,CRN,CONTACT_DATE,CONTACT_TYPE,OUTCOME,NOTES\r\n"
        f'C1,{crn},{timezone.localdate():%d/%m/%Y},HV,ATTC,"{notes}"\r\n'
        f'C2,{crn},not a date,HV,ATTC,"{notes}"\r\n'
    ).encode()
    run = import_runs.create_run(
        ImportProfile.objects.get(name="probation-contacts"),
        chunks=[extract],
        file_name=f"contacts-{person_marker('p3')}.csv",
        by=world.staff["probation_ig"],
        accept_valid_rows=True,
    )
    return import_runs.check_then_import(run)
