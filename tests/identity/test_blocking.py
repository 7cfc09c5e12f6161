"""Blocking: which pairs of records are compared at all.

A pair the blocking rules never compare can never be linked, however strong its evidence, so each
case here is a duplicate with slips in several fields at once (from the extract-like generator,
docs/benchmarks.md), and one pair that must stay out so the number of pairs scored stays bounded.
"""

import pytest

from iomshare.identity import linkage
from iomshare.identity.linkage.cleaning import sound


def _compared(model: dict, records: list[tuple[str | None, str | None, str | None, str | None]]) -> set:
    """The pairs of `records` (given, family, date of birth, postcode) that blocking lets Splink score."""
    rows = [
        {"unique_id": i, "given_name": g, "family_name": f, "date_of_birth": d, "postcode": p}
        for i, (g, f, d, p) in enumerate(records)
    ]
    con = linkage.connect(threads=1)
    try:
        table = linkage.prepare(con, linkage.raw_table(rows))
        linker = linkage.linker_for(con, table, model)
        linkage.register_term_frequencies(linker, con, table, model)
        scored = linker.inference.predict(warning_mode="never").as_record_list()
    finally:
        con.close()
    return {(row["unique_id_l"], row["unique_id_r"]) for row in scored}


@pytest.mark.parametrize(
    ("first", "second"),
    [
        # A doubled letter in both names, and the month of birth wrong: the names sound alike.
        (
            ("Stephhanie", "Stookes", "1992-02-05", "HX1 5JX"),
            ("Stephanie", "Stokes", "1992-08-05", "LS1 2RY"),
        ),
        # A letter dropped from the first name, one doubled in the last, the month wrong: the
        # last name's letters and the year of birth agree.
        (("Iain", "Mann", "1986-01-27", "BD5 2SR"), ("Iai", "Mannn", "1986-06-27", "HX3 2SA")),
        # No first name, a vowel dropped from the last name, the month wrong: its consonants and
        # the year of birth agree.
        (("Frederick", "Howard", "1990-01-27", "HD7 9XJ"), (None, "Howrd", "1990-09-27", "HD26 6AF")),
        # No first name and no date of birth (nor postcode): only the last name is left to go on.
        ((None, "Whitwick", None, None), ("Denis", "Whitwick", "1983-12-21", "LS11 2YU")),
        (("Denis", "Whitwick", "1983-12-21", "LS11 2YU"), (None, "Whitwick", None, None)),
    ],
)
def test_a_duplicate_with_slips_in_both_names_and_the_date_of_birth_is_compared(trained_model, first, second):
    assert (0, 1) in _compared(trained_model, [first, second])


def test_two_people_sharing_only_a_last_name_are_not_compared(trained_model):
    """The bare-record rules must not open every pair of records with one last name: a record with
    no first name but a date of birth is compared through that date, not through its last name alone."""
    assert not _compared(
        trained_model,
        [("John", "Smith", "1980-03-04", "LS1 1AA"), ("Paul", "Smith", "1991-07-08", "BD2 4QQ")],
    )
    assert not _compared(
        trained_model,
        [(None, "Smith", "1980-03-04", "LS1 1AA"), ("Paul", "Smith", "1991-07-08", "BD2 4QQ")],
    )


def test_names_that_sound_alike_share_a_key_and_a_missing_name_has_none():
    assert sound("STOKES") == sound("STOOKES")
    assert sound("SMITH") == sound("SMYTH")
    assert sound("STOKES") != sound("STOCKWELL")
    assert sound(None) is None and sound("") is None
