"""Consent pages: a person's consent records, recording and withdrawing consent, and overriding it.

Thin: every change is a call to protocols.consent. A person an access list hides from the viewer does
not exist here either (404).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect

from iomshare.errors import DomainError
from iomshare.kit.form_pages import render_form_page
from iomshare.partnership.models import Agency
from iomshare.partnership.signed_in import SignedInRequest
from iomshare.people.models import Person
from iomshare.people.visibility import may_know
from iomshare.protocols import consent
from iomshare.protocols.consent_forms import OverrideConsentForm, RecordConsentForm, WithdrawConsentForm
from iomshare.protocols.models import ConsentMethod, ConsentRecord, Purpose
from iomshare.web.govuk_dates import govuk_datetime


def _person(request: SignedInRequest, person_id: uuid.UUID) -> Person:
    person = Person.objects.filter(pk=person_id).first()
    if person is None or not may_know(request.user, person_id):
        raise Http404("No such person")
    if not (consent.may_record_consent(request.user) or consent.may_override_consent(request.user)):
        raise PermissionDenied("Only practitioners and information-governance leads can manage consent.")
    return person


def _choices() -> dict[str, Any]:
    return {
        "agencies": list(Agency.objects.order_by("name")),
        "purposes": list(Purpose.objects.order_by("name")),
        "methods": ConsentMethod.choices,
    }


@login_required
def consent_page(request: SignedInRequest, person_id: uuid.UUID) -> HttpResponse:
    """The person's consent records, and the form to record a new one."""
    person = _person(request, person_id)
    errors: dict[str, str] = {}
    form = RecordConsentForm(request.POST if request.method == "POST" else None)
    if form.is_bound:
        form.is_valid()
        agency = Agency.objects.filter(code=form.cleaned_data["sharing_agency"]).first()
        scope = form.cleaned_data["scope"]
        if scope not in {"all", "some"}:
            errors["scope"] = "Select whether consent covers all purposes or only some"
        purposes = (
            None if scope == "all" else list(Purpose.objects.filter(code__in=form.cleaned_data["purposes"]))
        )
        errors.update(form.date_errors)
        try:
            service_errors: dict[str, str] = {}
            if not errors:
                consent.record_consent(
                    person,
                    agency,
                    purposes,
                    given_on=form.given_on,
                    expires_on=form.expires_on,
                    method=form.cleaned_data["method"],
                    notes=form.cleaned_data["notes"],
                    by=request.user,
                )
        except DomainError as error:
            service_errors = error.field_errors or {"sharing_agency": error.message}
        errors = {**errors, **service_errors}
        if not errors:
            messages.success(request, f"Consent to {agency} sharing is recorded.")
            return redirect("protocols:consent", person_id=person.pk)
    return render_form_page(
        request,
        "protocols/consent.html",
        {
            "person": person,
            "consents": consent.consents_for(person),
            "overrides": consent.overrides_for(person),
            "may_record": consent.may_record_consent(request.user),
            "may_override": consent.may_override_consent(request.user),
            "form": form.data if form.is_bound else {},
            "chosen_purposes": form.cleaned_data["purposes"] if form.is_bound else [],
            "dates": form.typed_dates(),
            "nav": "cohort",
            **_choices(),
        },
        title=f"Consent to sharing – {person}",
        errors=errors,
    )


@login_required
def consent_withdraw(request: SignedInRequest, person_id: uuid.UUID, consent_id: int) -> HttpResponse:
    """Confirm, then record, that the person withdrew a consent (irreversible, so checked first)."""
    person = _person(request, person_id)
    record = (
        ConsentRecord.objects.filter(pk=consent_id, person=person).select_related("sharing_agency").first()
    )
    if record is None:
        raise Http404("No such consent")
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = WithdrawConsentForm(request.POST)
        form.is_valid()
        try:
            consent.withdraw_consent(record, by=request.user, notes=form.cleaned_data["notes"])
        except DomainError as error:
            errors = error.field_errors or {"notes": error.message}
        else:
            messages.success(
                request,
                f"Consent to {record.sharing_agency} sharing is withdrawn: sharing that needed it stops now.",
            )
            return redirect("protocols:consent", person_id=person.pk)
    return render_form_page(
        request,
        "protocols/consent_withdraw.html",
        {"person": person, "record": record, "nav": "cohort"},
        title="Withdraw consent",
        errors=errors,
    )


@login_required
def consent_override(request: SignedInRequest, person_id: uuid.UUID) -> HttpResponse:
    """Share without recorded consent, for one holding agency and purpose, with a reason."""
    person = _person(request, person_id)
    if not consent.may_override_consent(request.user):
        raise PermissionDenied("You do not have permission to override consent.")
    errors: dict[str, str] = {}
    posted: Mapping[str, Any] = {"hours": "24"}
    if request.method == "POST":
        form = OverrideConsentForm(request.POST)
        form.is_valid()
        posted = form.data
        hours = form.hours_number()
        try:
            override = consent.override_consent(
                person,
                Agency.objects.filter(code=form.cleaned_data["sharing_agency"]).first(),
                Purpose.objects.filter(code=form.cleaned_data["purpose"]).first(),
                by=request.user,
                reason=form.cleaned_data["reason"],
                hours=hours,
            )
        except DomainError as error:
            errors = error.field_errors or {"sharing_agency": error.message}
            if hours is None and "hours" in errors:
                errors["hours"] = "Enter the number of hours, from 1 to 72"
        else:
            messages.success(
                request,
                f"You may see what {override.sharing_agency} shares for {override.purpose.name.lower()} "
                f"without recorded consent until {govuk_datetime(override.expires_at)}. This is on the "
                "disclosure ledger.",
            )
            return redirect("protocols:consent", person_id=person.pk)
    return render_form_page(
        request,
        "protocols/consent_override.html",
        {
            "person": person,
            "form": posted,
            "max_hours": consent.MAX_OVERRIDE_HOURS,
            "nav": "cohort",
            **_choices(),
        },
        title="Share without recorded consent",
        errors=errors,
    )
