"""Business actions on the partnership's agencies: an administrator adds one or changes one.

An agency's assurance decides what protocols let it receive (invariant 5), so every change is on the
ledger with what it was before. The code is the API's stable name for the agency: set when the
agency is added, never changed. Bad input raises InvalidInput naming each field, and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from iomshare.errors import InvalidInput, NotPermitted
from iomshare.ledger import services as ledger
from iomshare.ledger.models import Action as LedgerAction
from iomshare.partnership.models import (
    Agency,
    AgencyKind,
    AssuranceLevel,
    DeclaredIdentifierScheme,
    Role,
    StaffMember,
)

CODE_PATTERN = re.compile(r"[a-z][a-z0-9-]{1,39}")
MAX_AHEAD = dt.timedelta(days=366 * 5)


def may_manage_agencies(viewer: StaffMember) -> bool:
    """A partnership administrator (or the server's superuser) manages the list of agencies."""
    return bool(getattr(viewer, "is_authenticated", False)) and (
        viewer.is_superuser or viewer.role == Role.ADMIN
    )


def _facts(agency: Agency) -> dict[str, object]:
    return {
        "name": agency.name,
        "kind": agency.kind,
        "is_statutory": agency.is_statutory,
        "assurance_level": agency.assurance_level,
        "assurance_expires_on": agency.assurance_expires_on.isoformat()
        if agency.assurance_expires_on
        else "",
        "identifier_schemes": sorted(agency.identifier_schemes.values_list("code", flat=True)),
    }


def problems(  # noqa: C901 (one check per field of the agency, each reported at once)
    agency: Agency | None,
    *,
    code: str = "",
    name: str,
    kind: str,
    is_statutory: bool | None,
    assurance_level: int | None,
    assurance_expires_on: dt.date | None,
) -> dict[str, str]:
    """Each field's problem with adding (`agency` None) or changing an agency: empty when it may be saved."""
    errors: dict[str, str] = {}
    others = Agency.objects.all() if agency is None else Agency.objects.exclude(pk=agency.pk)
    if agency is None:
        code = (code or "").strip().lower()
        if not CODE_PATTERN.fullmatch(code):
            errors["code"] = (
                "Enter a code of 2 to 40 lower-case letters, digits or hyphens, starting with a letter"
            )
        elif Agency.objects.filter(code=code).exists():
            errors["code"] = f"The code {code} is already used by another agency"
    name = (name or "").strip()
    if not name:
        errors["name"] = "Enter the agency's name"
    elif len(name) > 200:
        errors["name"] = "Keep the name to 200 characters or fewer"
    elif others.filter(name__iexact=name).exists():
        errors["name"] = f"There is already an agency called {name}"
    if kind not in AgencyKind.values:
        errors["kind"] = "Choose the kind of agency"
    if is_statutory is None:
        errors["is_statutory"] = "Say whether the agency is a statutory partner"
    elif is_statutory and kind == AgencyKind.VCS:
        errors["is_statutory"] = "A voluntary and community sector organisation is not a statutory partner"
    if assurance_level not in AssuranceLevel.values:
        errors["assurance_level"] = "Choose the security assurance the agency has shown"
    elif assurance_level != AssuranceLevel.NONE:
        today = timezone.localdate()
        if assurance_expires_on is None:
            errors["assurance_expires_on"] = "Enter the date the assurance expires"
        elif assurance_expires_on < today:
            errors["assurance_expires_on"] = "The assurance expiry must be today or later (or choose None)"
        elif assurance_expires_on > today + MAX_AHEAD:
            errors["assurance_expires_on"] = (
                "Assurance is renewed at least every five years: enter an earlier date"
            )
    return errors


@transaction.atomic
def add_agency(
    *,
    code: str,
    name: str,
    kind: str,
    is_statutory: bool | None,
    assurance_level: int | None = AssuranceLevel.NONE,
    assurance_expires_on: dt.date | None = None,
    identifier_schemes: Iterable[DeclaredIdentifierScheme] = (),
    by: StaffMember,
) -> Agency:
    """Add an agency to the partnership; it receives nothing until a protocol names it."""
    if not may_manage_agencies(by):
        raise NotPermitted("Only a partnership administrator can add an agency.")
    code, name = (code or "").strip().lower(), (name or "").strip()
    errors = problems(
        None,
        code=code,
        name=name,
        kind=kind,
        is_statutory=is_statutory,
        assurance_level=assurance_level,
        assurance_expires_on=assurance_expires_on,
    )
    if errors or assurance_level is None:
        raise InvalidInput("The agency was not added: correct the problems listed.", field_errors=errors)
    agency = Agency.objects.create(
        code=code,
        name=name,
        kind=kind,
        is_statutory=bool(is_statutory),
        assurance_level=assurance_level,
        assurance_expires_on=assurance_expires_on if assurance_level != AssuranceLevel.NONE else None,
    )
    agency.identifier_schemes.set(list(identifier_schemes))
    ledger.record(
        LedgerAction.ADMIN_CHANGE,
        by=by,
        details={"agency": agency.code, "change": "agency added", "after": _facts(agency)},
    )
    return agency


@transaction.atomic
def change_agency(
    agency: Agency,
    *,
    name: str,
    kind: str,
    is_statutory: bool | None,
    assurance_level: int | None,
    assurance_expires_on: dt.date | None,
    identifier_schemes: Iterable[DeclaredIdentifierScheme],
    by: StaffMember,
) -> Agency:
    """Rename an agency, or change its kind, assurance or the identifier schemes it holds; the
    ledger keeps what it was before. Lowered or lapsed assurance closes access at once."""
    if not may_manage_agencies(by):
        raise NotPermitted("Only a partnership administrator can change an agency.")
    agency = Agency.objects.select_for_update().get(pk=agency.pk)
    name = (name or "").strip()
    errors = problems(
        agency,
        name=name,
        kind=kind,
        is_statutory=is_statutory,
        assurance_level=assurance_level,
        assurance_expires_on=assurance_expires_on,
    )
    if errors or assurance_level is None:
        raise InvalidInput("The agency was not changed: correct the problems listed.", field_errors=errors)
    before = _facts(agency)
    agency.name, agency.kind, agency.is_statutory = name, kind, bool(is_statutory)
    agency.assurance_level = assurance_level
    agency.assurance_expires_on = assurance_expires_on if assurance_level != AssuranceLevel.NONE else None
    agency.save()
    agency.identifier_schemes.set(list(identifier_schemes))
    after = _facts(agency)
    if after == before:
        raise InvalidInput(
            "The agency was not changed: nothing was different.",
            field_errors={"name": "Change at least one of the agency's details"},
        )
    ledger.record(
        LedgerAction.ADMIN_CHANGE,
        by=by,
        details={"agency": agency.code, "change": "agency changed", "before": before, "after": after},
    )
    return agency
