"""One's own sessions: the list of where one is signed in, and signing out everywhere."""

from __future__ import annotations

from allauth.usersessions.models import UserSession
from django.contrib.auth import logout
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest

from iomshare.partnership.models import StaffMember


def active_sessions_of(staff: StaffMember) -> list[UserSession]:
    """`staff`'s sessions that are still alive, oldest first (allauth keeps one row per sign-in)."""
    return sorted(UserSession.objects.purge_and_list(staff), key=lambda s: s.created_at)


@transaction.atomic
def end_all_sessions_of(staff: StaffMember) -> None:
    """End every session of `staff`, listed or not: each is refused at its next request."""
    StaffMember.objects.filter(pk=staff.pk).update(session_generation=F("session_generation") + 1)
    for session in UserSession.objects.filter(user=staff):
        session.end()
    staff.refresh_from_db(fields=["session_generation"])


def sign_out_everywhere(request: HttpRequest, *, by: StaffMember) -> None:
    """End all of `by`'s sessions, this one included."""
    end_all_sessions_of(by)
    logout(request)
