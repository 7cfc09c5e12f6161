"""Property test: no alert, webhook or feed entry carries more than the recipient's door would show.

Random partnerships and items (tests/records/test_door_properties' generators and its reference,
written from docs/protocols.md); every staff member follows the person and every system account has a
webhook endpoint; each item is an event. Then each alert names exactly the items the reference lets
that recipient see for risk management, and a webhook marks an item visible only where it is.
"""

import datetime as dt
import uuid

from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis.extra.django import TestCase

from iomshare.alerts import fanout, outbox
from iomshare.alerts.models import (
    EventKind,
    Notification,
    Subscription,
    SubscriptionKind,
    WebhookDelivery,
    WebhookEndpoint,
)
from iomshare.partnership.models import Role
from iomshare.records.models import Category
from tests.factories import CohortMembershipFactory, InformationItemFactory, PersonFactory
from tests.protocols.test_decision_properties import build_database_partnership, database_partnerships
from tests.records.test_door_properties import item_specs, reference_may_know, reference_visible


class TestAlertsCarryNoMoreThanTheDoorShows(TestCase):
    cases = 0
    shown = 0

    @settings(max_examples=12, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
    @given(database_partnerships(), item_specs)
    def test_each_alert_names_only_what_the_recipients_door_shows(self, partnership, items):
        agencies, members, viewers, clauses, assurance = build_database_partnership(
            partnership, timezone.localdate()
        )
        person = PersonFactory()
        CohortMembershipFactory(person=person, lead_agency=agencies["alpha"])
        made = []
        for spec in items:
            item = InformationItemFactory(
                person=person,
                holding_agency=agencies[spec["agency"]],
                category=Category.objects.get(code=spec["category"]),
                sensitivity=spec["sensitivity"],
                handling_code=spec["handling"],
                restricted_at=timezone.now() - dt.timedelta(days=1) if spec["restricted"] else None,
                restricted_reason="Accuracy disputed" if spec["restricted"] else "",
                summary=f"Summary {uuid.uuid4().hex}",
            )
            outbox.event(
                EventKind.CHARGE, person_id=person.pk, item_id=item.pk, agency_id=item.holding_agency_id
            )
            made.append((item, {**spec, "agency": agencies[spec["agency"]].pk}))
        for member in members:
            Subscription.objects.create(subscriber=member, kind=SubscriptionKind.PERSON, person=person)
            if member.role == Role.SYSTEM:
                WebhookEndpoint.objects.create(
                    agency=member.agency, account=member, url="http://127.0.0.1:9/"
                )
        fanout.fan_out(limit=1000)

        specs = [spec for _, spec in made]
        for member, viewer in zip(members, viewers, strict=True):
            knows = reference_may_know(viewer, agencies["alpha"].pk, specs, clauses, assurance)
            visible = {
                item.pk
                for item, spec in made
                if knows and reference_visible(viewer, spec, clauses, assurance, with_purpose=True)
            }
            messages = list(Notification.objects.filter(recipient=member).values_list("message", flat=True))
            named = {item.pk for item, _ in made if any(item.summary in m for m in messages)}
            assert named == visible, (member.role, named, visible)
            assert len(messages) >= len(visible)
            for delivery in WebhookDelivery.objects.filter(endpoint__account=member):
                data = delivery.payload["data"]
                assert data["item_visible"] == (uuid.UUID(data["item_id"]) in visible)
                assert delivery.payload["type"] == (
                    "cohort.charge" if data["item_visible"] else "cohort.new_information"
                )
            type(self).cases += len(made)
            type(self).shown += len(visible)

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        assert cls.cases >= 100, cls.cases  # items times recipients judged
        assert cls.shown >= 10, cls.shown  # and some alerts did carry content
