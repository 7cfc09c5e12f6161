"""The demo's second factor: one PUBLISHED TOTP secret for every demo account. DEMO ONLY.

`make demo` stays a one-command start while every account still needs a second factor: the secret
is printed with the demo sign-ins, and `iomshare demo-code` shows the current code. Anyone can read
this secret here, so it protects nothing; it exists only so the demo works as production does.
"""

from __future__ import annotations

import time

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value

from iomshare.partnership.models import Role, StaffMember

DEMO_TOTP_SECRET = "IOMSHAREDEMOONLYNEVERUSEREALLY23"  # noqa: S105 (published on purpose: demo only)


def enrol_demo_accounts() -> int:
    """Give every demo account without a second factor the published demo TOTP secret; returns how many."""
    enrolled = 0
    for staff in StaffMember.objects.exclude(role=Role.SYSTEM).exclude(
        pk__in=Authenticator.objects.values("user_id")
    ):
        TOTP.activate(staff, DEMO_TOTP_SECRET)
        enrolled += 1
    return enrolled


def current_demo_code() -> str:
    """The code an authenticator app holding the demo secret shows now."""
    return format_hotp_value(hotp_value(DEMO_TOTP_SECRET, int(time.time()) // 30))
