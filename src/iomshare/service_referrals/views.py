"""Pages for services offered, referrals to them, and informal exchanges.

Thin: each page parses the form, calls services, exchanges or selectors, and renders. A referral or
exchange about a person the viewer may not know answers 404, as if it did not exist (invariant 10).
Shared items and what was said are read through the one door (records.selectors.onward).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from iomshare.errors import DomainError, InvalidInput, NotFound
from iomshare.kit.form_pages import render_form_page
from iomshare.partnership.models import Agency, StaffMember
from iomshare.partnership.signed_in import SignedInRequest
from iomshare.people import visibility
from iomshare.people.models import Person
from iomshare.protocols.decisions import purposes_for
from iomshare.protocols.models import Purpose
from iomshare.protocols.selectors import clause_labels
from iomshare.records import selectors as door
from iomshare.records.selectors.onward import exchange_notes_for, sent_items_for
from iomshare.service_referrals import exchanges, selectors, services
from iomshare.service_referrals.forms import (
    DecideReferralForm,
    OfferServiceForm,
    RecordExchangeForm,
    ReferToServiceForm,
)
from iomshare.service_referrals.models import ExchangeChannel, ServiceKind


def _person_or_404(viewer: StaffMember, person_id) -> Person:
    person = Person.objects.filter(pk=person_id).first()
    if person is None or viewer.agency_id is None or not visibility.may_know(viewer, person.pk):
        raise Http404("No such person")
    return person


def _is_manager(viewer: StaffMember) -> bool:
    return viewer.agency_id is not None and viewer.role in services.MANAGER_ROLES


# --- services offered -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def service_list(request: SignedInRequest) -> HttpResponse:
    """Every agency's open services; an agency's managers add theirs here."""
    viewer = request.user
    values = {"name": "", "kind": "", "purpose": "", "contact": "", "description": ""}
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = OfferServiceForm(request.POST)
        form.is_valid()
        values = {name: form.cleaned_data[name] for name in values}
        contact = (
            StaffMember.objects.filter(pk=values["contact"]).first() if values["contact"].isdigit() else None
        )
        try:
            offer = services.offer_service(
                by=viewer,
                name=values["name"],
                kind=values["kind"],
                purpose=values["purpose"],
                contact=contact,
                description=values["description"],
            )
            messages.success(request, f"{offer.name} is offered to the partnership.")
            return redirect("service_referrals:services")
        except InvalidInput as error:
            errors = error.field_errors or {"name": error.message}
        except DomainError as error:
            raise PermissionDenied(error.message) from error
    is_manager = _is_manager(viewer)
    return render_form_page(
        request,
        "service_referrals/services.html",
        {
            "offers": selectors.open_services(),
            "own": selectors.services_of(viewer.agency_id) if viewer.agency_id else [],
            "is_manager": is_manager,
            "values": values,
            "kinds": ServiceKind.choices,
            "purposes": Purpose.objects.all(),
            "contacts": StaffMember.objects.filter(agency__in=[viewer.agency_id], is_active=True)
            .exclude(role__in=["volunteer", "system"])
            .exclude(is_volunteer=True)
            if is_manager
            else [],
            "nav": "services",
        },
        title="Services partners offer",
        errors=errors,
        error_status=422,
    )


# --- referrals ------------------------------------------------------------------------------------


@login_required
def referral_list(request: SignedInRequest) -> HttpResponse:
    """Referrals to services: those the viewer's agency sent, and those it received."""
    viewer = request.user
    return render(
        request,
        "service_referrals/referrals.html",
        {
            "received": selectors.referrals_for(viewer, direction="received")[:200],
            "sent": selectors.referrals_for(viewer, direction="sent")[:200],
            "nav": "services",
            "page_title": "Referrals to services",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def refer(request: SignedInRequest, person_id) -> HttpResponse:
    """Refer a person to another agency's service: choose the service, then the items to send."""
    viewer = request.user
    person = _person_or_404(viewer, person_id)
    if visibility.is_volunteer(viewer):
        raise PermissionDenied("Volunteers cannot refer people to services.")
    offers = [offer for offer in selectors.open_services() if offer.agency_id != viewer.agency_id]
    form = ReferToServiceForm(request.POST if request.method == "POST" else None)
    form.is_valid()
    posted = form.cleaned_data if form.is_bound else {}
    chosen = posted.get("service") or request.GET.get("service", "")
    service = next((offer for offer in offers if str(offer.pk) == chosen), None)
    errors: dict[str, str] = {}
    values: dict[str, Any] = {"reason": "", "item_ids": []}
    if chosen and service is None:
        errors["service"] = "Choose a service from the list"
    if request.method == "POST" and service is not None:
        values = {"reason": posted["reason"], "item_ids": posted["item_ids"]}
        try:
            referral = services.refer_to_service(
                by=viewer,
                person=person,
                service=service,
                reason=values["reason"],
                item_ids=values["item_ids"],
            )
            messages.success(request, f"{person.full_name} is referred to {service.name}.")
            return redirect("service_referrals:referral", service_referral_id=referral.pk)
        except InvalidInput as error:
            errors = error.field_errors or {"reason": error.message}
        except DomainError as error:
            raise PermissionDenied(error.message) from error
    picture = (
        door.picture_for(viewer, person, purpose=service.purpose.code, limit=50)
        if service is not None
        else None
    )
    return render_form_page(
        request,
        "service_referrals/refer.html",
        {
            "person": person,
            "offers": offers,
            "service": service,
            "picture": picture,
            "values": values,
            "nav": "services",
        },
        title=f"Refer {person.full_name} to a service",
        errors=errors,
        error_status=422,
    )


def _referral_or_404(viewer: StaffMember, referral_id):
    referral = selectors.referral_for(viewer, referral_id)
    if referral is None:
        raise Http404("No such referral")
    return referral


def _referral_page(request: SignedInRequest, found, *, errors=None, reason: str = "") -> HttpResponse:
    """The referral, and what was sent, shown through the door once the viewer declares its purpose
    (invariant 3: purpose first); what they may not see is counted, never shown."""
    viewer = request.user
    shared = list(found.shared_items.select_related("holding_agency", "category"))
    labels = clause_labels(s.clause for s in shared if s.clause != "own")
    for shared_item in shared:
        shared_item.clause_label = labels.get(shared_item.clause, shared_item.clause)
    declared = request.GET.get("purpose", "") == found.purpose.code
    items = (
        sent_items_for(
            viewer, found.person, [s.item_id for s in shared], purpose=found.purpose.code, referral=found.pk
        )
        if declared and shared
        else []
    )
    return render_form_page(
        request,
        "service_referrals/referral.html",
        {
            "referral": found,
            "shared": shared,
            "declared": declared,
            "items": items,
            "withheld": len(shared) - len(items) if declared else 0,
            "may_decide": services.may_decide(viewer, found),
            "reason": reason,
            "nav": "services",
        },
        title=f"Referral {found.number}",
        errors=errors,
        error_status=422,
    )


@login_required
def referral(request: SignedInRequest, service_referral_id: int) -> HttpResponse:
    """One referral: its state, what was sent under which clause, and the receiving agency's decision."""
    return _referral_page(request, _referral_or_404(request.user, service_referral_id))


@login_required
@require_POST
def decide(request: SignedInRequest, service_referral_id: int) -> HttpResponse:
    """Accept, decline with a reason, or complete: the receiving agency's staff."""
    viewer = request.user
    found = _referral_or_404(viewer, service_referral_id)
    form = DecideReferralForm(request.POST)
    form.is_valid()
    decision, reason = form.cleaned_data["decision"], form.cleaned_data["reason"]
    try:
        services.decide_referral(found, by=viewer, decision=decision, reason=reason)
    except InvalidInput as error:
        found.refresh_from_db()
        return _referral_page(
            request, found, errors=error.field_errors or {"decision": error.message}, reason=reason
        )
    except DomainError as error:
        raise PermissionDenied(error.message) from error
    found.refresh_from_db()
    messages.success(request, f"Referral {found.number} is {found.status_name.lower()}.")
    return redirect("service_referrals:referral", service_referral_id=found.pk)


# --- informal exchanges ---------------------------------------------------------------------------


@login_required
def exchange_list(request: SignedInRequest) -> HttpResponse:
    """Conversations with other agencies that the viewer's agency recorded or was named in."""
    viewer = request.user
    return render(
        request,
        "service_referrals/exchanges.html",
        {
            "exchanges": selectors.exchanges_for(viewer)[:200],
            "nav": "services",
            "page_title": "Conversations with other agencies",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def record_exchange(request: SignedInRequest, person_id) -> HttpResponse:
    """Record a conversation with another agency about a person: who, where, when, what."""
    viewer = request.user
    person = _person_or_404(viewer, person_id)
    if visibility.is_volunteer(viewer):
        raise PermissionDenied("Volunteers cannot record conversations with other agencies.")
    names = ("other_agency", "other_person", "channel", "what")
    values = {name: "" for name in names}
    date = {"day": "", "month": "", "year": ""}
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = RecordExchangeForm(request.POST)
        form.is_valid()
        values = {name: form.cleaned_data[name] for name in names}
        date = form.date_parts("happened_on", strip=False)
        errors.update(form.date_errors)
        try:
            exchange = exchanges.record_exchange(
                by=viewer,
                person=person,
                other_agency=values["other_agency"],
                other_person=values["other_person"],
                channel=values["channel"],
                happened_on=form.happened_on,
                what=values["what"],
            )
            messages.success(request, f"The conversation about {person.full_name} is recorded.")
            return redirect("service_referrals:exchange", exchange_id=exchange.pk)
        except InvalidInput as error:
            errors = {**(error.field_errors or {"what": error.message}), **errors}
        except (NotFound, DomainError) as error:
            raise PermissionDenied(error.message) from error
    return render_form_page(
        request,
        "service_referrals/record_exchange.html",
        {
            "person": person,
            "values": values,
            "date": date,
            "agencies": Agency.objects.exclude(pk__in=[viewer.agency_id]).order_by("name"),
            "channels": ExchangeChannel.choices,
            "nav": "services",
        },
        title=f"Record a conversation about {person.full_name}",
        errors=errors,
        error_status=422,
    )


@login_required
def exchange(request: SignedInRequest, exchange_id: int) -> HttpResponse:
    """One recorded conversation; what was said is shown through the door, for a declared purpose."""
    viewer = request.user
    found = selectors.exchange_for(viewer, exchange_id)
    if found is None:
        raise Http404("No such conversation")
    purposes = door_purposes(viewer)
    purpose = request.GET.get("purpose", "")
    purpose = purpose if purpose in {p.code for p in purposes} else ""
    notes = exchange_notes_for(viewer, found.person, [found.item_id], purpose=purpose or None)
    return render(
        request,
        "service_referrals/exchange.html",
        {
            "exchange": found,
            "note": notes.get(found.item_id),
            "purposes": purposes,
            "purpose": purpose,
            "nav": "services",
            "page_title": "Conversation with another agency",
        },
    )


def door_purposes(viewer: StaffMember) -> list:
    return purposes_for(viewer) if viewer.agency_id else []
