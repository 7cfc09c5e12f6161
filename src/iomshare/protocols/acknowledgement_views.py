"""Read-and-acknowledge pages: the versions a person is asked to read, reading and acknowledging one,
and their agency's acknowledgements for its IG lead and managers. Thin: the rules are in
protocols.acknowledgements."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from iomshare.errors import DomainError
from iomshare.partnership.signed_in import SignedInRequest
from iomshare.protocols import acknowledgements, readable, selectors
from iomshare.protocols.models import AGREEMENT_ELEMENTS


class AcknowledgementForm(forms.Form):
    confirm = forms.BooleanField(
        label="I have read this protocol and understand what it lets me share and receive",
        error_messages={"required": "Confirm that you have read and understood the protocol"},
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)


@login_required
def to_read(request: SignedInRequest) -> HttpResponse:
    return render(
        request,
        "protocols/to_read.html",
        {
            "versions": acknowledgements.versions_to_read(request.user),
            "may_oversee": request.user.role in acknowledgements.OVERSEER_ROLES and request.user.agency_id,
            "page_title": "Protocols to read and acknowledge",
            "nav": "protocols",
        },
    )


@login_required
def acknowledge(request: SignedInRequest, protocol_id: int) -> HttpResponse:
    """The version in plain words, and the acknowledgement under it."""
    protocol = selectors.protocol_page(protocol_id)
    if protocol is None:
        raise Http404("No such protocol")
    if not acknowledgements.may_acknowledge(request.user, protocol):
        raise PermissionDenied(
            "You are asked to read only the protocol versions in force that your agency is party to."
        )
    done = {v.protocol.pk: v.acknowledged_at for v in acknowledgements.versions_to_read(request.user)}
    form = AcknowledgementForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            acknowledgements.acknowledge(protocol, by=request.user)
        except DomainError as error:
            form.add_error("confirm", error.message)
        else:
            return redirect("protocols:to-read")
    errors = {name: messages[0] for name, messages in form.errors.items()}
    return render(
        request,
        "protocols/acknowledge.html",
        {
            "protocol": protocol,
            "clauses": readable.describe(protocol),
            "agreement": [
                (heading, getattr(protocol, name))
                for name, heading, _ in AGREEMENT_ELEMENTS
                if getattr(protocol, name)
            ],
            "acknowledged_at": done.get(protocol.pk),
            "form": form,
            "errors": errors,
            "page_title": f"{'Error: ' if errors else ''}Read and acknowledge: {protocol.title}",
            "nav": "protocols",
        },
        status=400 if errors else 200,
    )


@login_required
def agency_acknowledgements(request: SignedInRequest) -> HttpResponse:
    try:
        readings = acknowledgements.agency_readings(request.user)
    except DomainError as error:
        raise PermissionDenied(error.message) from None
    return render(
        request,
        "protocols/agency_acknowledgements.html",
        {"readings": readings, "page_title": "Protocols read by your agency's staff", "nav": "protocols"},
    )
