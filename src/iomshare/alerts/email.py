"""E-mail notices: no personal data, only that there is something new and a link to sign in and see it.

Sent through Django's e-mail backend (SMTP in production: EMAIL_HOST, EMAIL_PORT), as a job, each on
the ledger. Staff choose an e-mail per alert, a daily digest, or none.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django_tasks import task

from iomshare.alerts.models import AlertPreference, EmailChoice, Notification
from iomshare.ledger import services as ledger
from iomshare.ledger.models import Action
from iomshare.partnership.models import StaffMember

SUBJECT = "You have a new alert in iomshare"
DIGEST_SUBJECT = "Your daily iomshare alerts"


def notifications_url() -> str:
    return getattr(settings, "IOMSHARE_BASE_URL", "http://127.0.0.1:8000").rstrip("/") + "/notifications/"


def queue_notices(notifications: list[Notification]) -> None:
    """Queue an e-mail for recipients who asked for one per alert."""
    wanting = set(
        AlertPreference.objects.filter(
            staff_id__in={n.recipient_id for n in notifications}, email=EmailChoice.EACH
        ).values_list("staff_id", flat=True)
    )
    if wanting:
        send_notices.enqueue(sorted(wanting))


def _send(staff: StaffMember, subject: str, body: str, notification_ids: list[int]) -> None:
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [staff.email], fail_silently=False)
    ledger.record(
        Action.NOTIFICATION,
        by=staff,
        details={"channel": "email", "notification_ids": notification_ids, "personal_data": False},
    )


@task()
def send_notices(staff_ids: list[int]) -> int:
    """The job: one notice e-mail per recipient for their alerts not yet e-mailed."""
    sent = 0
    for staff in StaffMember.objects.filter(pk__in=staff_ids).exclude(email=""):
        pending = list(
            Notification.objects.filter(
                recipient=staff, emailed_at__isnull=True, read_at__isnull=True
            ).values_list("pk", flat=True)
        )
        if not pending:
            continue
        count = len(pending)
        body = (
            f"You have {count} new alert{'s' if count != 1 else ''} in iomshare.\n\n"
            f"Sign in to read {'them' if count != 1 else 'it'}: {notifications_url()}\n\n"
            "For your security this e-mail never says who or what an alert is about."
        )
        _send(staff, SUBJECT, body, pending)
        Notification.objects.filter(pk__in=pending).update(emailed_at=timezone.now())
        sent += 1
    return sent


@task()
def send_daily_digests() -> int:
    """The job (daily, from a timer): one digest e-mail to each recipient who chose it and has unread alerts."""
    sent = 0
    for preference in AlertPreference.objects.filter(email=EmailChoice.DAILY).select_related("staff"):
        staff = preference.staff
        since = preference.last_digest_at
        unread = Notification.objects.filter(recipient=staff, read_at__isnull=True)
        if since is not None:
            unread = unread.filter(created_at__gt=since)
        ids = list(unread.values_list("pk", flat=True))
        if ids and staff.email:
            body = (
                f"You have {len(ids)} unread alert{'s' if len(ids) != 1 else ''} from the last day in iomshare.\n\n"
                f"Sign in to read them: {notifications_url()}\n"
            )
            _send(staff, DIGEST_SUBJECT, body, ids)
            sent += 1
        preference.last_digest_at = timezone.now()
        preference.save(update_fields=["last_digest_at"])
    return sent
