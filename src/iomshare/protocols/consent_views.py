"""Consent pages: a person's consent records, recording and withdrawing consent, and overriding it.

Thin: every change is a call to protocols.consent. A person an access list hides from the viewer does
not exist here either (404).
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from iomshare.errors import DomainError
from iomshare.partnership.models import Agency
from iomshare.people.models import Person
from iomshare.people.visibility import may_know
from iomshare.protocols import consent
from iomshare.protocols.models import ConsentMethod, ConsentRecord, Purpose
from iomshare.web.govuk_dates import DateInputError, govuk_datetime, parse_date_input


def _person(request: HttpRequest, person_id: uuid.UUID) -> Person:
    person = Person.objects.filter(pk=person_id).first()
    if person is None or not may_know(request.user, person_id):
        raise Http404("No such person")
    if not (consent.may_record_consent(request.user) or consent.may_override_consent(request.user)):
        raise PermissionDenied("Only practitioners and information-governance leads can manage consent.")
    return person


def _typed_dates(request: HttpRequest, *names: str) -> dict[str, dict[str, str]]:
    """What was typed in each GOV.UK date input, to show it again beside its error."""
    data = request.POST if request.method == "POST" else {}
    return {
        name: {part: data.get(f"{name}-{part}", "") for part in ("day", "month", "year")} for name in names
    }


def _choices() -> dict:
    return {
        "agencies": list(Agency.objects.order_by("name")),
        "purposes": list(Purpose.objects.order_by("name")),
        "methods": ConsentMethod.choices,
    }


@login_required
def consent_page(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    """The person's consent records, and the form to record a new one."""
    person = _person(request, person_id)
    errors: dict[str, str] = {}
    form = request.POST if request.method == "POST" else {}
    if request.method == "POST":
        agency = Agency.objects.filter(code=request.POST.get("sharing_agency", "")).first()
        scope = request.POST.get("scope", "")
        if scope not in {"all", "some"}:
            errors["scope"] = "Select whether consent covers all purposes or only some"
        purposes = (
            None
            if scope == "all"
            else list(Purpose.objects.filter(code__in=request.POST.getlist("purposes")))
        )
        dates = {}
        for name, label, required in (
            ("given_on", "the date consent was given", True),
            ("expires_on", "the date consent expires", False),
        ):
            try:
                dates[name] = parse_date_input(request.POST, name, label, required=required)
            except DateInputError as error:
                errors[name] = str(error)
        try:
            service_errors: dict[str, str] = {}
            if not errors:
                consent.record_consent(
                    person,
                    agency,
                    purposes,
                    given_on=dates["given_on"],
                    expires_on=dates["expires_on"],
                    method=request.POST.get("method", ""),
                    notes=request.POST.get("notes", ""),
                    by=request.user,
                )
        except DomainError as error:
            service_errors = error.field_errors or {"sharing_agency": error.message}
        errors = {**errors, **service_errors}
        if not errors:
            messages.success(request, f"Consent to {agency} sharing is recorded.")
            return redirect("protocols:consent", person_id=person.pk)
    return render(
        request,
        "protocols/consent.html",
        {
            "person": person,
            "consents": consent.consents_for(person),
            "overrides": consent.overrides_for(person),
            "may_record": consent.may_record_consent(request.user),
            "may_override": consent.may_override_consent(request.user),
            "errors": errors,
            "form": form,
            "chosen_purposes": request.POST.getlist("purposes") if request.method == "POST" else [],
            "dates": _typed_dates(request, "given_on", "expires_on"),
            "nav": "cohort",
            "page_title": ("Error: " if errors else "") + f"Consent to sharing – {person}",
            **_choices(),
        },
        status=400 if errors else 200,
    )


@login_required
def consent_withdraw(request: HttpRequest, person_id: uuid.UUID, consent_id: int) -> HttpResponse:
    """Confirm, then record, that the person withdrew a consent (irreversible, so checked first)."""
    person = _person(request, person_id)
    record = (
        ConsentRecord.objects.filter(pk=consent_id, person=person).select_related("sharing_agency").first()
    )
    if record is None:
        raise Http404("No such consent")
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            consent.withdraw_consent(record, by=request.user, notes=request.POST.get("notes", ""))
        except DomainError as error:
            errors = error.field_errors or {"notes": error.message}
        else:
            messages.success(
                request,
                f"Consent to {record.sharing_agency} sharing is withdrawn: sharing that needed it stops now.",
            )
            return redirect("protocols:consent", person_id=person.pk)
    return render(
        request,
        "protocols/consent_withdraw.html",
        {
            "person": person,
            "record": record,
            "errors": errors,
            "nav": "cohort",
            "page_title": ("Error: " if errors else "") + "Withdraw consent",
        },
        status=400 if errors else 200,
    )


@login_required
def consent_override(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    """Share without recorded consent, for one holding agency and purpose, with a reason."""
    person = _person(request, person_id)
    if not consent.may_override_consent(request.user):
        raise PermissionDenied("You do not have permission to override consent.")
    errors: dict[str, str] = {}
    form = request.POST if request.method == "POST" else {"hours": "24"}
    if request.method == "POST":
        try:
            hours: int | None = int(request.POST.get("hours", "").strip())
        except ValueError:
            hours = None
        try:
            override = consent.override_consent(
                person,
                Agency.objects.filter(code=request.POST.get("sharing_agency", "")).first(),
                Purpose.objects.filter(code=request.POST.get("purpose", "")).first(),
                by=request.user,
                reason=request.POST.get("reason", ""),
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
    return render(
        request,
        "protocols/consent_override.html",
        {
            "person": person,
            "errors": errors,
            "form": form,
            "max_hours": consent.MAX_OVERRIDE_HOURS,
            "nav": "cohort",
            "page_title": ("Error: " if errors else "") + "Share without recorded consent",
            **_choices(),
        },
        status=400 if errors else 200,
    )
