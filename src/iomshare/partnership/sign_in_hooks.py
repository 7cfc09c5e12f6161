"""What happens around every sign-in, whichever way it came: lockout counting, the session's start,
telling the owner about failed attempts, and second factors on the ledger.

Django's and allauth's signals are the hook, as the ledger's own sign-in entries are, so no sign-in
path can skip them.
"""

from __future__ import annotations

from allauth.account.signals import password_changed
from allauth.mfa import signals as mfa_signals
from allauth.mfa.models import Authenticator
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from iomshare.ledger import services as ledger
from iomshare.ledger.models import Action
from iomshare.partnership import lockout, second_factor, session_policy
from iomshare.partnership.models import SignInChannel
from iomshare.partnership.notices import add_notice


@receiver(user_login_failed, dispatch_uid="partnership_count_failed_sign_in")
def count_failed_sign_in(sender, credentials, request=None, **kwargs) -> None:
    # Attempts while locked are kept too (the owner hears of them); they do not lengthen the lock.
    lockout.note_failure(str(credentials.get("username", "")), lockout.address_of(request), SignInChannel.WEB)


@receiver(user_logged_in, dispatch_uid="partnership_session_started")
def start_session(sender, request, user, **kwargs) -> None:
    if request is None or not hasattr(request, "session"):
        return
    session_policy.start(request)
    if text := lockout.told_at_sign_in(user.get_username()):
        add_notice(request, text)


@receiver(mfa_signals.authentication_failed, dispatch_uid="partnership_wrong_code")
def count_wrong_code(sender, request, user, authenticator, reauthentication=False, **kwargs) -> None:
    second_factor.note_wrong_code(request, user)


@receiver(post_save, sender=Authenticator, dispatch_uid="partnership_factor_added")
def record_factor_added(sender, instance: Authenticator, created: bool, **kwargs) -> None:
    # On the model, not allauth's signals (sent after commit): the entry commits with the change.
    if created:
        ledger.record(
            Action.SECOND_FACTOR_CHANGED,
            by=instance.user,
            details={"change": "added", "type": str(instance.type)},
        )


@receiver(post_delete, sender=Authenticator, dispatch_uid="partnership_factor_removed")
def record_factor_removed(sender, instance: Authenticator, **kwargs) -> None:
    ledger.record(
        Action.SECOND_FACTOR_CHANGED,
        username=instance.user.get_username(),
        details={"change": "removed", "type": str(instance.type), "of": instance.user.get_username()},
    )


@receiver(password_changed, dispatch_uid="partnership_password_changed")
def record_password_change(sender, request, user, **kwargs) -> None:
    # Django's session hash includes the password, so every other session of the account ends now.
    ledger.record(Action.PASSWORD_CHANGED, by=user)
