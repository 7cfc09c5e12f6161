"""The signed-in staff member's notifications, what they follow, and how they are told."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from iomshare.alerts import selectors, services, webhooks
from iomshare.alerts.forms import FollowForm, PreferencesForm
from iomshare.alerts.models import (
    AlertPreference,
    DeliveryStatus,
    EmailChoice,
    EventKind,
    SubscriptionKind,
    WebhookDelivery,
    WebhookEndpoint,
)
from iomshare.errors import DomainError, NotFound
from iomshare.kit.form_pages import render_form_page
from iomshare.partnership.models import Role
from iomshare.partnership.signed_in import SignedInRequest
from iomshare.people.models import Tier
from iomshare.web.govuk_dates import govuk_time


@login_required
def notifications(request: SignedInRequest) -> HttpResponse:
    status = request.GET.get("status", "") if request.GET.get("status") in {"unread", "read"} else ""
    kind = request.GET.get("kind", "") if request.GET.get("kind") in EventKind.values else ""
    found = selectors.notifications_for(request.user, status=status, kind=kind)
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "alerts/notifications.html",
        {
            "page": page,
            "unread": selectors.unread_count(request.user),
            "status": status,
            "kind": kind,
            "kinds": EventKind.choices,
            "nav": "notifications",
            "page_title": "Notifications",
        },
    )


@login_required
@require_POST
def mark_all_read(request: SignedInRequest) -> HttpResponse:
    count = services.mark_all_read(by=request.user)
    messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked as read.")
    return redirect("alerts:notifications")


@login_required
@require_POST
def open_notification(request: SignedInRequest, notification_id: int) -> HttpResponse:
    """Mark one notification read and go to what it is about."""
    try:
        notification = services.mark_read(notification_id, by=request.user)
    except NotFound as error:
        raise Http404(error.message) from None
    if notification.link and url_has_allowed_host_and_scheme(notification.link, allowed_hosts=None):
        return redirect(notification.link)
    return redirect("alerts:notifications")


@login_required
@require_POST
def follow(request: SignedInRequest, person_id) -> HttpResponse:
    form = FollowForm(request.POST)
    form.is_valid()
    try:
        following = services.follow(person_id, by=request.user, stop=form.is_stop)
    except NotFound as error:
        raise Http404(error.message) from None
    messages.success(
        request, "You are now following this person." if following else "You no longer follow this person."
    )
    return redirect("people:person", person_id)


@login_required
def preferences(request: SignedInRequest) -> HttpResponse:
    """How to be told: e-mail, tiers, the agency's cohort; and the people followed."""
    errors: dict[str, str] = {}
    subscriptions = list(selectors.subscriptions_of(request.user))
    posted: Mapping[str, Any] = {}
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        form.is_valid()
        posted = form.data
        try:
            services.set_preferences(
                by=request.user,
                email=form.cleaned_data["email"],
                tiers=form.cleaned_data["tiers"],
                lead_agency=form.cleaned_data["lead_agency"] == "yes",
                quiet_from=_hour(form.cleaned_data["quiet_from"]),
                quiet_until=_hour(form.cleaned_data["quiet_until"]),
            )
        except DomainError as error:
            errors = error.field_errors or {"email": error.message}
        else:
            messages.success(request, "Your alert settings are saved.")
            return redirect("alerts:preferences")
    preference = AlertPreference.objects.filter(staff=request.user).first()
    return render_form_page(
        request,
        "alerts/preferences.html",
        {
            "email": posted.get("email") if errors else preference.email if preference else EmailChoice.NONE,
            "email_choices": EmailChoice.choices,
            "hours": QUIET_HOURS,
            # After an error the form shows what was sent, so nothing has to be chosen twice.
            "quiet_from": posted.get("quiet_from")
            if errors
            else _shown(preference.quiet_from if preference else None),
            "quiet_until": posted.get("quiet_until")
            if errors
            else _shown(preference.quiet_until if preference else None),
            "tiers": Tier.choices,
            "chosen_tiers": {s.tier for s in subscriptions if s.kind == SubscriptionKind.TIER},
            "lead_agency": any(s.kind == SubscriptionKind.LEAD_AGENCY for s in subscriptions),
            "followed": [s.person for s in subscriptions if s.kind == SubscriptionKind.PERSON],
            "nav": "notifications",
        },
        title="Alert settings",
        errors=errors,
    )


# Quiet hours start and end on the hour: finer choices would only make the form longer.
QUIET_HOURS = [(f"{hour:02d}:00", govuk_time(dt.time(hour))) for hour in range(24)]


def _hour(value: str) -> dt.time | None:
    """A chosen hour ("22:00"), or None for none; anything else is no choice (the form offers only hours)."""
    return dt.time(int(value[:2])) if value in dict(QUIET_HOURS) else None


def _shown(value: dt.time | None) -> str:
    return value.strftime("%H:00") if value is not None else ""


def _webhook_admin(request: SignedInRequest) -> None:
    if not (request.user.is_superuser or request.user.role == Role.IG_LEAD):
        raise PermissionDenied(
            "Only an information-governance lead or an administrator reads the webhook log."
        )


@login_required
def webhook_log(request: SignedInRequest) -> HttpResponse:
    """Your agency's webhook endpoints and every delivery: status, attempts, last response; replay."""
    _webhook_admin(request)
    endpoints = (
        WebhookEndpoint.objects.all()
        if request.user.is_superuser
        else WebhookEndpoint.objects.filter(agency_id__in=[request.user.agency_id])
    )
    status = request.GET.get("status", "") if request.GET.get("status") in DeliveryStatus.values else ""
    deliveries = WebhookDelivery.objects.filter(endpoint__in=endpoints).select_related("endpoint", "event")
    if status:
        deliveries = deliveries.filter(status=status)
    return render(
        request,
        "alerts/webhook_log.html",
        {
            "endpoints": endpoints,
            "page": Paginator(deliveries, 50).get_page(request.GET.get("page")),
            "status": status,
            "statuses": DeliveryStatus.choices,
            "nav": "notifications",
            "page_title": "Webhook delivery log",
        },
    )


@login_required
@require_POST
def webhook_replay(request: SignedInRequest, delivery_id: int) -> HttpResponse:
    _webhook_admin(request)
    delivery = WebhookDelivery.objects.filter(pk=delivery_id).select_related("endpoint").first()
    if delivery is None or (
        not request.user.is_superuser and delivery.endpoint.agency_id != request.user.agency_id
    ):
        raise Http404("No such delivery")
    webhooks.replay(delivery, by=request.user)
    messages.success(request, f"Delivery {delivery.message_id} will be sent again.")
    return redirect("alerts:webhook-log")
