"""Formats and check digits of the identifiers agencies hold for a person.

Catching a mistyped NHS number or PNC ID at the door keeps two people from being joined (or one
person from being split) later on.
"""

import re

from django.core.exceptions import ValidationError

_PNC = re.compile(r"^(\d{2}|\d{4})/(\d{1,7})([A-Z])$")
_CRO = re.compile(r"^(\d{1,6})/(\d{2})([A-Z])$")
_NOMIS = re.compile(r"^[A-Z]\d{4}[A-Z]{2}$")
_PNC_CHECK_LETTERS = "ZABCDEFGHJKLMNPQRTUVWXY"


def pnc_check_letter(year: str, serial: str) -> str:
    """The Police National Computer check letter for a year and serial number."""
    number = int(year[-2:] + serial.zfill(7))
    return _PNC_CHECK_LETTERS[number % 23]


def normalise_pnc(value: str) -> str:
    """PNC IDs are written YYYY/NNNNNNNX; accept YY/N..X and return the long, canonical form."""
    match = _PNC.match(value.strip().upper())
    if not match:
        raise ValidationError("A PNC ID looks like 2012/0012345K: year, slash, up to 7 digits, letter.")
    year, serial, letter = match.groups()
    if letter != pnc_check_letter(year, serial):
        raise ValidationError(f"PNC ID {value} fails its check letter: check it for a typing mistake.")
    if len(year) == 2:
        year = ("19" if int(year) > 50 else "20") + year
    return f"{year}/{serial.zfill(7)}{letter}"


def normalise_nhs_number(value: str) -> str:
    """NHS numbers are 10 digits whose last is a modulus-11 check digit."""
    digits = re.sub(r"[\s-]", "", value)
    if not re.fullmatch(r"\d{10}", digits):
        raise ValidationError("An NHS number is 10 digits, for example 943 476 5919.")
    total = sum(int(d) * (10 - i) for i, d in enumerate(digits[:9]))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    if check == 10 or check != int(digits[9]):
        raise ValidationError(f"NHS number {value} fails its check digit: check it for a typing mistake.")
    return digits


def normalise_nomis(value: str) -> str:
    """NOMIS prison numbers look like A1234BC."""
    value = value.strip().upper()
    if not _NOMIS.match(value):
        raise ValidationError("A NOMIS number looks like A1234BC: a letter, 4 digits, 2 letters.")
    return value


def normalise_cro(value: str) -> str:
    """Criminal Records Office numbers look like 123456/89A."""
    value = value.strip().upper()
    if not _CRO.match(value):
        raise ValidationError("A CRO number looks like 123456/89A.")
    return value


def normalise_local(value: str) -> str:
    value = value.strip()
    if not value or len(value) > 60:
        raise ValidationError("A local identifier is between 1 and 60 characters.")
    return value
