"""Sign-ins, failed sign-ins, sign-outs and administration changes go on the ledger.

Django's own signals are the hook, so no sign-in path (the sign-in page, the admin, a test client)
and no admin screen can skip the entry.
"""

from __future__ import annotations

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save
from django.dispatch import receiver

from iomshare.ledger import services
from iomshare.ledger.context import origin_from_request
from iomshare.ledger.models import Action, Outcome

ADMIN_ACTIONS = {ADDITION: "added", CHANGE: "changed", DELETION: "deleted"}


def _origin(request):
    return origin_from_request(request) if request is not None and hasattr(request, "META") else None


@receiver(user_logged_in, dispatch_uid="ledger_sign_in")
def record_sign_in(sender, request, user, **kwargs) -> None:
    services.record(Action.SIGN_IN, by=user, origin=_origin(request))


@receiver(user_logged_out, dispatch_uid="ledger_sign_out")
def record_sign_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        services.record(Action.SIGN_OUT, by=user, origin=_origin(request))


@receiver(user_login_failed, dispatch_uid="ledger_sign_in_failed")
def record_failed_sign_in(sender, credentials, request=None, **kwargs) -> None:
    services.record(
        Action.SIGN_IN_FAILED,
        username=str(credentials.get("username", "")),
        outcome=Outcome.FAILED,
        origin=_origin(request),
    )


@receiver(post_save, sender=LogEntry, dispatch_uid="ledger_admin_change")
def record_admin_change(sender, instance: LogEntry, created: bool, **kwargs) -> None:
    if not created:
        return
    services.record(
        Action.ADMIN_CHANGE,
        by=instance.user,
        details={
            "model": f"{instance.content_type.app_label}.{instance.content_type.model}"
            if instance.content_type is not None
            else "",
            "object_id": instance.object_id or "",
            "object": instance.object_repr,
            "change": ADMIN_ACTIONS.get(instance.action_flag, str(instance.action_flag)),
            "message": instance.get_change_message(),
        },
    )
