"""E-mail notices: no personal data, only that there is something new and a link to sign in and see it.

Sent through Django's e-mail backend (SMTP in production: EMAIL_HOST, EMAIL_PORT), as a job, each on
the ledger. Staff choose an e-mail per alert, a daily digest, or none, and may set quiet hours: then
alerts that are not urgent wait until the quiet hours end and go as one e-mail. Urgent alerts (a
release from custody, a new warning marker: `EventSignal.is_urgent`) go at once, even to those who
chose the daily digest.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django_tasks import task

from iomshare.alerts.models import AlertPreference, EmailChoice, Notification
from iomshare.ledger import services as ledger
from iomshare.ledger.models import Action
from iomshare.partnership.models import StaffMember

SUBJECT = "You have a new alert in iomshare"
URGENT_SUBJECT = "You have an urgent alert in iomshare"
DIGEST_SUBJECT = "Your daily iomshare alerts"


def notifications_url() -> str:
    return getattr(settings, "IOMSHARE_BASE_URL", "http://127.0.0.1:8000").rstrip("/") + "/notifications/"


def quiet_hours_end(preference: AlertPreference | None, now: dt.datetime) -> dt.datetime | None:
    """The moment `preference`'s quiet hours end, if `now` falls inside them (UK time); else None."""
    if preference is None or preference.quiet_from is None or preference.quiet_until is None:
        return None
    local = timezone.localtime(now)
    start, end, clock = preference.quiet_from, preference.quiet_until, local.time()
    # Quiet hours may run past midnight (22:00 to 07:00) or sit inside one day (13:00 to 14:00).
    inside = (start <= clock < end) if start < end else (clock >= start or clock < end)
    if not inside:
        return None
    day = local.date() if clock < end else local.date() + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, end), local.tzinfo)


def queue_notices(notifications: list[Notification]) -> None:
    """Queue e-mails for new alerts: at once, or when the recipient's quiet hours end.

    One per alert for those who chose it; urgent alerts also for those who chose the daily digest.
    """
    urgent_for = {n.recipient_id for n in notifications if n.is_urgent}
    now = timezone.now()
    at_once: set[int] = set()
    held: dict[dt.datetime, set[int]] = {}
    for preference in AlertPreference.objects.filter(
        staff_id__in={n.recipient_id for n in notifications},
        email__in=[EmailChoice.EACH, EmailChoice.DAILY],
    ):
        staff_id = preference.staff_id
        if staff_id in urgent_for:
            at_once.add(staff_id)
        if preference.email == EmailChoice.DAILY:
            continue  # the rest wait for the digest
        end = quiet_hours_end(preference, now)
        if end is None:
            at_once.add(staff_id)
        else:
            held.setdefault(end, set()).add(staff_id)
    if at_once:
        send_notices.enqueue(sorted(at_once))
    for end, staff_ids in held.items():
        send_notices.using(run_after=end).enqueue(sorted(staff_ids))


def _send(staff: StaffMember, subject: str, body: str, notification_ids: list[int]) -> None:
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [staff.email], fail_silently=False)
    ledger.record(
        Action.NOTIFICATION,
        by=staff,
        details={"channel": "email", "notification_ids": notification_ids, "personal_data": False},
    )


@task()
def send_notices(staff_ids: list[int]) -> int:
    """The job: one notice e-mail per recipient for their alerts not yet e-mailed.

    In quiet hours, or for those who chose the daily digest, only urgent alerts go now; the job queued
    for the end of the quiet hours sends the rest, so a night's alerts arrive as one e-mail.
    """
    sent = 0
    now = timezone.now()
    preferences = AlertPreference.objects.in_bulk(staff_ids, field_name="staff_id")
    for staff in StaffMember.objects.filter(pk__in=staff_ids).exclude(email=""):
        preference = preferences.get(staff.pk)
        if preference is None or preference.email == EmailChoice.NONE:
            continue
        pending = Notification.objects.filter(recipient=staff, emailed_at__isnull=True, read_at__isnull=True)
        if preference.email == EmailChoice.DAILY or quiet_hours_end(preference, now) is not None:
            pending = pending.filter(is_urgent=True)
        rows = list(pending.values_list("pk", "is_urgent"))
        if not rows:
            continue
        count, urgent = len(rows), any(is_urgent for _pk, is_urgent in rows)
        body = (
            f"You have {count} new alert{'s' if count != 1 else ''} in iomshare"
            f"{' (urgent)' if urgent and count == 1 else ', at least one urgent' if urgent else ''}.\n\n"
            f"Sign in to read {'them' if count != 1 else 'it'}: {notifications_url()}\n\n"
            "For your security this e-mail never says who or what an alert is about."
        )
        ids = [pk for pk, _urgent in rows]
        _send(staff, URGENT_SUBJECT if urgent else SUBJECT, body, ids)
        Notification.objects.filter(pk__in=ids).update(emailed_at=timezone.now())
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
