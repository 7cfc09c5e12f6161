"""The type of a request past sign-in, for views: its user is a staff member, never anonymous.

`login_required` turns every anonymous request away before such a view runs, so a view that
takes a `SignedInRequest` may pass `request.user` to services that take a `StaffMember`."""

from __future__ import annotations

from django.http import HttpRequest

from iomshare.partnership.models import StaffMember


class SignedInRequest(HttpRequest):
    user: StaffMember  # narrowed: see the module docstring
