"""Delivery: signed webhooks to a real HTTP receiver, e-mail to a real SMTP server, the event feed."""

from __future__ import annotations

import datetime as dt
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.utils import timezone
from standardwebhooks import Webhook, WebhookVerificationError

from iomshare.alerts import email, fanout, webhooks
from iomshare.alerts.models import AlertPreference, DeliveryStatus, EmailChoice, Notification, WebhookEndpoint
from iomshare.ledger.models import Action, LedgerEntry
from iomshare.partnership.models import Role
from iomshare.partnership.tokens import issue_token
from iomshare.records import services
from iomshare.records.models import Sensitivity
from tests.factories import StaffMemberFactory
from tests.protocols.conftest import train

pytestmark = pytest.mark.django_db


class Receiver:
    """A webhook receiver on loopback that verifies every signature with the standardwebhooks library."""

    def __init__(self, secret: str, *, fail_first: int = 0) -> None:
        self.secret, self.fail_first = secret, fail_first
        self.received: list[dict] = []
        self.refused = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["content-length"]))
                try:
                    payload = Webhook(receiver.secret).verify(body, dict(self.headers))
                except WebhookVerificationError:
                    receiver.refused += 1
                    self.send_response(401)
                else:
                    if receiver.fail_first > 0:
                        receiver.fail_first -= 1
                        self.send_response(503)
                    else:
                        receiver.received.append({"id": self.headers["webhook-id"], **payload})
                        self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def probation_system(probation):
    return train(
        StaffMemberFactory(username="probation.system", agency=probation, role=Role.SYSTEM),
        "information_sharing",
    )


def endpoint_for(account, url, **fields):
    return WebhookEndpoint.objects.create(
        agency=account.agency, account=account, url=url, secret=webhooks.new_secret(), **fields
    )


def record(officer, person, offending, **fields):
    return services.record_item(
        by=officer, person=person, category=offending, summary="Charged with burglary dwelling", **fields
    )


def test_a_webhook_is_signed_thin_and_verified_by_the_receiver(
    settings, officer, person, offending, membership, protocol, probation_system
):
    secret = webhooks.new_secret()
    with Receiver(secret) as receiver:
        endpoint = endpoint_for(probation_system, receiver.url)
        endpoint.secret = secret
        endpoint.save()
        item = record(officer, person, offending)
        fanout.fan_out()
        assert webhooks.deliver_webhooks.call() == 1
    [got] = receiver.received
    assert got["type"] == "cohort.charge"
    assert got["data"] == {
        "event_id": got["data"]["event_id"],
        "person_id": str(person.pk),
        "item_id": str(item.pk),
        "item_visible": True,
    }
    assert "burglary" not in json.dumps(got), "thin: ids only, never content"
    assert LedgerEntry.objects.filter(action=Action.NOTIFICATION, actor_id=probation_system.pk).exists()


def test_a_failed_delivery_backs_off_exponentially_then_is_dead_lettered_and_can_be_replayed(
    settings, officer, person, offending, membership, protocol, probation_system
):
    settings.IOMSHARE_WEBHOOK_ATTEMPTS = 3
    settings.IOMSHARE_WEBHOOK_BACKOFF_SECONDS = 10
    secret = webhooks.new_secret()
    with Receiver(secret, fail_first=3) as receiver:
        endpoint = endpoint_for(probation_system, receiver.url)
        endpoint.secret = secret
        endpoint.save()
        record(officer, person, offending)
        fanout.fan_out()
        delivery = webhooks.attempt(webhooks.due_deliveries()[0])
        assert (delivery.status, delivery.attempts, delivery.last_response_status) == (
            DeliveryStatus.RETRYING,
            1,
            503,
        )
        waited = delivery.next_attempt_at - delivery.last_attempt_at
        assert dt.timedelta(seconds=9) < waited < dt.timedelta(seconds=11)
        delivery = webhooks.attempt(delivery)
        waited = delivery.next_attempt_at - delivery.last_attempt_at
        assert dt.timedelta(seconds=19) < waited < dt.timedelta(seconds=21), "doubled"
        delivery = webhooks.attempt(delivery)
        assert delivery.status == DeliveryStatus.DEAD and receiver.received == []
        admin = StaffMemberFactory(
            username="probation.ig.lead", agency=probation_system.agency, role=Role.IG_LEAD
        )
        webhooks.replay(delivery, by=admin)
        assert webhooks.deliver_webhooks.call() == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert [r["id"] for r in receiver.received] == [delivery.message_id], "the same webhook-id on replay"


def test_after_a_rotation_both_secrets_sign_so_the_receiver_can_switch_over(
    officer, person, offending, membership, protocol, probation_system
):
    old = webhooks.new_secret()
    with Receiver(old) as receiver:
        endpoint = endpoint_for(probation_system, receiver.url)
        endpoint.secret = old
        endpoint.save()
        admin = StaffMemberFactory(
            username="probation.ig.lead", agency=probation_system.agency, role=Role.IG_LEAD
        )
        new = webhooks.rotate_secret(endpoint, by=admin)
        record(officer, person, offending)
        fanout.fan_out()
        webhooks.deliver_webhooks.call()
        receiver.secret = new
        webhooks.replay(webhooks.WebhookDelivery.objects.get(), by=admin)
        webhooks.deliver_webhooks.call()
    assert len(receiver.received) == 2 and receiver.refused == 0


def test_a_webhook_never_names_an_item_the_agencys_door_hides(
    officer, person, offending, membership, protocol, probation_system
):
    with Receiver("unused") as receiver:
        endpoint_for(probation_system, receiver.url)
        record(
            officer, person, offending, sensitivity=Sensitivity.OFFICIAL_SENSITIVE
        )  # existence may be known
        fanout.fan_out()
    delivery = webhooks.WebhookDelivery.objects.get()
    assert delivery.payload["data"]["item_visible"] is False
    assert delivery.payload["type"] == "cohort.new_information", "the kind could betray the withheld content"


def test_an_email_notice_reaches_a_real_smtp_server_and_carries_no_personal_data(
    settings, officer, person, offending, key_worker, membership, protocol
):
    received = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            received.append(envelope)
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        AlertPreference.objects.create(staff=key_worker, email=EmailChoice.EACH)
        record(officer, person, offending)
        fanout.fan_out()
        assert email.send_notices.call([key_worker.pk]) == 1
    finally:
        controller.stop()
    [envelope] = received
    text = envelope.content.decode()
    assert envelope.rcpt_tos == ["kw@example.org"]
    assert "/notifications/" in text
    for personal in ("Jordan", "Whitlock", "burglary", "Charge", str(person.pk)):
        assert personal not in text
    assert Notification.objects.get(recipient=key_worker).emailed_at is not None
    entries = LedgerEntry.objects.filter(action=Action.NOTIFICATION, actor_id=key_worker.pk)
    assert [e.details["channel"] for e in entries.order_by("pk")] == ["in_app", "email"]


def test_the_daily_digest_goes_once_a_day_to_those_who_chose_it(
    officer, person, offending, key_worker, membership, protocol
):
    AlertPreference.objects.create(staff=key_worker, email=EmailChoice.DAILY)
    record(officer, person, offending)
    fanout.fan_out()
    assert email.send_daily_digests.call() == 1
    assert email.send_daily_digests.call() == 0, "nothing new since the last digest"
    assert len(mail.outbox) == 1 and "Jordan" not in mail.outbox[0].body


def test_the_event_feed_pages_by_cursor_and_shows_only_what_the_callers_door_shows(
    client, officer, person, offending, membership, protocol, probation_system
):
    _token, secret = issue_token(for_staff=probation_system, name="feed", by=None)
    shown = record(officer, person, offending)
    record(officer, person, offending, sensitivity=Sensitivity.OFFICIAL_SENSITIVE)
    headers = {"Authorization": f"Bearer {secret}"}
    first = client.get("/api/v1/events", {"after": 0, "limit": 1}, headers=headers).json()
    assert [e["item_id"] for e in first["events"]] == [str(shown.pk)] and first["events"][0]["item_visible"]
    rest = client.get("/api/v1/events", {"after": first["next_cursor"]}, headers=headers).json()
    assert [e["item_visible"] for e in rest["events"]] == [False]
    again = client.get("/api/v1/events", {"after": rest["next_cursor"]}, headers=headers).json()
    assert again == {"events": [], "next_cursor": rest["next_cursor"]}
    assert client.get("/api/v1/events").status_code == 401
    assert timezone.now()
