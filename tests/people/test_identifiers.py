import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from iomshare.people import identifiers


@given(year=st.integers(1970, 2026), serial=st.integers(1, 9_999_999))
def test_a_pnc_id_with_its_own_check_letter_is_accepted_and_any_other_letter_refused(year, serial):
    letter = identifiers.pnc_check_letter(str(year), str(serial))
    assert identifiers.normalise_pnc(f"{year}/{serial}{letter}") == f"{year}/{serial:07d}{letter}"
    wrong = next(c for c in "ABCDEFGHJKLMNPQRTUVWXYZ" if c != letter)
    with pytest.raises(ValidationError, match="check letter"):
        identifiers.normalise_pnc(f"{year}/{serial}{wrong}")


def test_short_year_pnc_ids_are_written_in_long_form():
    letter = identifiers.pnc_check_letter("12", "12345")
    assert identifiers.normalise_pnc(f"12/12345{letter}") == f"2012/0012345{letter}"


@given(st.lists(st.integers(0, 9), min_size=9, max_size=9))
def test_nhs_numbers_pass_only_with_the_right_check_digit(digits):
    total = sum(d * (10 - i) for i, d in enumerate(digits))
    check = (11 - total % 11) % 11
    stem = "".join(map(str, digits))
    if check == 10:
        for last in range(10):
            with pytest.raises(ValidationError):
                identifiers.normalise_nhs_number(stem + str(last))
        return
    assert identifiers.normalise_nhs_number(f"{stem[:3]} {stem[3:6]} {stem[6:]}{check}") == stem + str(check)
    with pytest.raises(ValidationError, match="check digit"):
        identifiers.normalise_nhs_number(stem + str((check + 1) % 10))


@pytest.mark.parametrize(
    ("normaliser", "bad"),
    [
        (identifiers.normalise_nomis, "12345AB"),
        (identifiers.normalise_cro, "ABC/12"),
        (identifiers.normalise_nhs_number, "94347659"),
        (identifiers.normalise_pnc, "2012-12345K"),
        (identifiers.normalise_local, ""),
    ],
)
def test_malformed_identifiers_are_refused_with_an_example_of_the_right_form(normaliser, bad):
    with pytest.raises(ValidationError):
        normaliser(bad)


def test_nomis_numbers_are_upper_cased():
    assert identifiers.normalise_nomis(" a1234bc ") == "A1234BC"
