"""Checking what an agency sends about a person: names, date of birth, postcode and the
identifiers its schemes declare, each problem named by field."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from iomshare.errors import InvalidInput
from iomshare.identity import linkage
from iomshare.identity.models import (
    Sex,
)
from iomshare.partnership.models import Agency
from iomshare.people.models import NORMALISERS, IdentifierScheme

_NAME = re.compile(r"^[^\W\d_]+(?:[ '’.\-][^\W\d_]*)*$")
_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")
_FIELD_SCHEMES = {"pnc": "pnc", "cro": "cro", "nomis": "nomis", "nhs": "nhs_number", "local": "local_id"}
EARLIEST_BIRTH = dt.date(1900, 1, 1)
MINIMUM_AGE = 10  # the age of criminal responsibility in England and Wales
_SEXES = frozenset(["", *Sex.values])  # read once: `Sex.values` builds its list on every call


def _clean_name(value: Any, field: str, label: str, errors: dict[str, str]) -> str:
    text = " ".join(str(value or "").split())
    if len(text) > 100:
        errors[field] = f"The {label} must be 100 characters or fewer"
        return ""
    if text and not _NAME.match(text):
        errors[field] = f"The {label} can contain only letters, spaces, hyphens and apostrophes"
        return ""
    return text


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _clean_date_of_birth(value: Any, errors: dict[str, str], today: dt.date) -> dt.date | None:
    """The date of birth, or None with the reason in `errors` (a field kept out, never the record refused)."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        text = str(value).strip()
        try:
            value = dt.date.fromisoformat(text)
        except ValueError:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                errors["date_of_birth"] = f"The date of birth {text} is not a real date"
            else:
                errors["date_of_birth"] = "The date of birth must be a date written as YYYY-MM-DD"
            return None
    if value > today:
        errors["date_of_birth"] = "The date of birth is in the future"
    elif value < EARLIEST_BIRTH:
        errors["date_of_birth"] = "The date of birth is before 1900: check it for a typing mistake"
    elif value > _years_before(today, MINIMUM_AGE):
        errors["date_of_birth"] = (
            f"The date of birth makes the person younger than {MINIMUM_AGE}, the age of criminal responsibility"
        )
    else:
        return value
    return None


_OTHER_POSTCODE = re.compile(r"^(?=.*\d)[A-Z0-9][A-Z0-9 \-]{1,10}[A-Z0-9]$")


def _clean_postcode(value: Any, errors: dict[str, str]) -> str:
    """A UK postcode in its standard form, or another country's as written (upper case)."""
    text = re.sub(r"\s+", " ", str(value or "").strip().upper())
    if not text:
        return ""
    if match := _POSTCODE.match(text):
        return f"{match.group(1)} {match.group(2)}"
    if _OTHER_POSTCODE.match(text):
        return text
    errors["postcode"] = f"{text} is not a postcode: a UK postcode looks like LS1 4AP"
    return ""


def declared_schemes(agency: Agency | None) -> dict[str, Any]:
    """The identifier schemes `agency` is recorded as holding, by code (read once per batch)."""
    return {s.code: s for s in agency.identifier_schemes.all()} if agency is not None and agency.pk else {}


def _clean_identifiers(
    value: Any, errors: dict[str, str], schemes: dict[str, Any]
) -> tuple[dict[str, str], dict[str, str]]:
    """UK identifiers (format and check digit) and identifiers in schemes the agency declares (their pattern)."""
    if not isinstance(value, dict):
        if value:
            errors["identifiers"] = "Identifiers must be given as scheme: value pairs"
        return {}, {}
    national: dict[str, str] = {}
    declared: dict[str, str] = {}
    for scheme, raw in value.items():
        if raw in (None, ""):
            continue
        if scheme in _FIELD_SCHEMES:
            try:
                normaliser = NORMALISERS[IdentifierScheme("nhs" if scheme == "nhs" else scheme)]
                national[scheme] = normaliser(str(raw))
            except ValidationError as error:
                errors[f"identifiers.{scheme}"] = error.messages[0]
        elif scheme in schemes:
            try:
                declared[scheme] = schemes[scheme].normalise(str(raw))
            except ValueError as error:
                errors[f"identifiers.{scheme}"] = str(error)
        else:
            errors[f"identifiers.{scheme}"] = (
                f"{scheme} is not an identifier scheme iomshare knows for this agency: use pnc, cro, nomis, "
                "nhs, local, or a scheme an administrator has recorded the agency as holding"
            )
    return national, declared


@dataclass
class Submission:
    """A record as it will be stored: the fields that passed their checks, and why any were kept out."""

    fields: dict[str, Any]
    warnings: list[dict[str, str]]
    waiting_reason: str


def waiting_reason_for(fields: dict[str, Any]) -> str:
    """Why a record is too bare to link safely (blank if it is not): it then waits to be completed.

    A national identifier (PNC, CRO, NOMIS, NHS) can carry a record without a date of birth or last name.
    """
    if any(fields.get(name) for name in ("pnc", "cro", "nomis", "nhs_number")):
        return ""
    missing = [
        label
        for name, label in (("family_name", "last name"), ("date_of_birth", "date of birth"))
        if not fields.get(name)
    ]
    if not missing:
        return ""
    return f"No {' and no '.join(missing)}: it cannot be matched safely until someone adds it"


def validate_submission(
    data: dict[str, Any],
    *,
    today: dt.date | None = None,
    agency: Agency | None = None,
    schemes: dict[str, Any] | None = None,
) -> Submission:
    """One agency's record as submitted, checked and normalised.

    A field that fails its check is kept out of the record with a warning saying why; only a missing
    or unusable record key refuses the record (it cannot be stored or corrected without one). A
    record too bare to link is kept, waiting for someone to complete it.
    """
    today = today or timezone.localdate()
    record_key = str(data.get("record_key") or "").strip()
    if not record_key:
        raise InvalidInput(
            "The record was not received: correct the problems listed.",
            field_errors={"record_key": "Enter the agency's own key for the record"},
        )
    if len(record_key) > 100 or not record_key.isprintable():
        raise InvalidInput(
            "The record was not received: correct the problems listed.",
            field_errors={"record_key": "The record key must be up to 100 printable characters"},
        )
    errors: dict[str, str] = {}
    given = _clean_name(data.get("given_name"), "given_name", "first name", errors)
    family = _clean_name(data.get("family_name"), "family_name", "last name", errors)
    aliases_in = data.get("aliases") or []
    aliases: list[str] = []
    if not isinstance(aliases_in, list) or not all(isinstance(a, str) for a in aliases_in):
        errors["aliases"] = "Aliases must be a list of names"
    else:
        candidates = [" ".join(a.split()) for a in aliases_in if a.strip()][:20]
        aliases = [a for a in candidates if len(a) <= 200 and _NAME.match(a)]
        if len(aliases) < len(candidates):
            errors["aliases"] = "Each alias can contain only letters, spaces, hyphens and apostrophes"
    date_of_birth = _clean_date_of_birth(data.get("date_of_birth"), errors, today)
    sex_text = str(data.get("sex") or "").strip().upper()
    sex = {"MALE": "M", "FEMALE": "F", "U": "", "UNKNOWN": ""}.get(sex_text, sex_text)
    if sex not in _SEXES:
        errors["sex"] = "Sex must be M, F or X, or left blank"
        sex = ""
    postcode = _clean_postcode(data.get("postcode"), errors)
    address = " ".join(str(data.get("address") or "").split())
    if len(address) > 300:
        errors["address"] = "The address must be 300 characters or fewer"
        address = ""
    if schemes is None:
        schemes = declared_schemes(agency)
    national, declared = _clean_identifiers(data.get("identifiers") or {}, errors, schemes)
    fields = {
        "record_key": record_key,
        "given_name": given,
        "family_name": family,
        "aliases": aliases,
        "date_of_birth": date_of_birth,
        "sex": sex,
        "postcode": postcode,
        "address": address,
        "other_identifiers": declared,
        **{_FIELD_SCHEMES[scheme]: value for scheme, value in national.items()},
    }
    warnings = [
        {"field": field, "value": _as_sent(data, field), "reason": reason}
        for field, reason in sorted(errors.items())
    ]
    return Submission(fields=fields, warnings=warnings, waiting_reason=waiting_reason_for(fields))


def _as_sent(data: dict[str, Any], field: str) -> str:
    if field.startswith("identifiers."):
        identifiers = data.get("identifiers")
        value = identifiers.get(field.split(".", 1)[1]) if isinstance(identifiers, dict) else identifiers
    else:
        value = data.get(field)
    return str(value if value is not None else "")[:200]


def name_keys(cleaned: dict[str, Any]) -> dict[str, str]:
    """The cleaned family name and canonical given name that blocking compares."""
    return {
        "family_key": linkage.clean_family(cleaned["family_name"]) or "",
        "given_key": linkage.canonical_given(cleaned["given_name"]) or "",
    }
