"""The linkage model's definition: how records are cleaned, which pairs are compared, and how.

Every field a partnership holds is compared on its own, so a field missing from one record removes
only its own evidence: surname and given names separately (every given name, initials, nicknames,
swaps), date of birth (transposed day and month, one-digit and one-field slips), postcode (UK and
other formats), address (as words, whatever the format), sex, the UK identifiers, and any scheme an
agency declares. Names and postcodes carry term-frequency adjustments: a shared rare surname is
stronger evidence than a shared common one.
"""

# SQL here is assembled from our own column names, never from user input.
# ruff: noqa: S608

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pyarrow as pa
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import SettingsCreator, block_on
from splink.blocking_rule_library import CustomRule

if TYPE_CHECKING:
    from splink.internals.comparison_creator import ComparisonCreator

IDENTIFIER_SCHEMES = ("pnc", "cro", "nomis", "nhs")
IDENTIFIER_LABELS = {"pnc": "PNC IDs", "cro": "CRO numbers", "nomis": "NOMIS numbers", "nhs": "NHS numbers"}

# The columns a caller supplies, one row per source record (values as received, cleaned here).
# other_ids holds "SCHEME:VALUE" for identifier schemes agencies declare themselves (compared exactly).
RAW_SCHEMA = pa.schema(
    [
        ("unique_id", pa.int64()),
        ("given_name", pa.string()),
        ("family_name", pa.string()),
        ("date_of_birth", pa.date32()),
        ("sex", pa.string()),
        ("postcode", pa.string()),
        ("pnc", pa.string()),
        ("cro", pa.string()),
        ("nomis", pa.string()),
        ("nhs", pa.string()),
        ("address", pa.string()),
        ("other_ids", pa.list_(pa.string())),
    ]
)

# Words an address is written with in more than one way: one spelling each, so formats agree.
ADDRESS_WORDS = {
    "ST": "STREET",
    "RD": "ROAD",
    "AVE": "AVENUE",
    "AV": "AVENUE",
    "LN": "LANE",
    "TER": "TERRACE",
    "TERR": "TERRACE",
    "GR": "GROVE",
    "DR": "DRIVE",
    "CL": "CLOSE",
    "CRES": "CRESCENT",
    "CT": "COURT",
    "PL": "PLACE",
    "SQ": "SQUARE",
    "GDNS": "GARDENS",
}
_ADDRESS_CASE = " ".join(f"when '{short}' then '{word}'" for short, word in ADDRESS_WORDS.items())
_UK_POSTCODE = "^([A-Z]{{1,2}}[0-9][A-Z0-9]?)([0-9][A-Z]{{2}})$"

PREPARE_SQL = f"""
create or replace table {{out}} as
with cleaned as (
    select
        unique_id,
        list_filter(
            string_split(regexp_replace(replace(upper(coalesce(given_name, '')), '-', ' '), '[^A-Z ]', '', 'g'), ' '),
            lambda x: x <> ''
        ) as given_parts,
        nullif(regexp_replace(upper(coalesce(family_name, '')), '[^A-Z]', '', 'g'), '') as family_name,
        cast(date_of_birth as varchar) as dob,
        case when upper(sex) in ('M', 'F') then upper(sex) end as sex,
        nullif(regexp_replace(upper(coalesce(postcode, '')), '[^A-Z0-9]', '', 'g'), '') as postcode,
        list_transform(
            list_filter(string_split(regexp_replace(upper(coalesce(address, '')), '[^A-Z0-9]+', ' ', 'g'), ' '),
                lambda x: x <> ''),
            lambda w: case w {_ADDRESS_CASE} else w end
        ) as address_words,
        nullif(pnc, '') as pnc,
        nullif(cro, '') as cro,
        nullif(nomis, '') as nomis,
        nullif(nhs, '') as nhs,
        case when len(other_ids) > 0 then list_sort(other_ids) end as other_ids
    from {{source}}
),
named as (
    select c.*, c.given_parts[1] as given_name from cleaned c
)
select
    c.unique_id,
    c.given_name,
    case when len(c.given_parts) > 0 then c.given_parts end as given_names,
    c.family_name,
    coalesce(n.canonical, c.given_name) as given_canonical,
    case when c.family_name is not null and coalesce(n.canonical, c.given_name) is not null then
        least(substr(coalesce(n.canonical, c.given_name), 1, 1), substr(c.family_name, 1, 1))
        || greatest(substr(coalesce(n.canonical, c.given_name), 1, 1), substr(c.family_name, 1, 1))
    end as initials,
    substr(c.family_name, 1, 3) as family_start,
    -- Keys for blocking pairs whose names both carry a slip (docs/benchmarks.md): how the names
    -- sound (Metaphone, computed in Python at cleaning time: `linkage.cleaning.register_sounds`),
    -- the family name's letters in order with repeats dropped (a doubled or swapped letter), and
    -- its first letter with its consonants (a wrong vowel).
    family_sound.sound as family_sound,
    given_sound.sound as given_sound,
    array_to_string(list_sort(list_distinct(string_split(c.family_name, ''))), '') as family_letters,
    substr(c.family_name, 1, 1) || regexp_replace(substr(c.family_name, 2), '[AEIOUYHW]', '', 'g')
        as family_consonants,
    c.dob,
    substr(c.dob, 1, 4) as birth_year,
    substr(c.dob, 6, 5) as birth_day,
    c.sex,
    case when length(c.postcode) >= 3 then c.postcode end as postcode,
    case
        when regexp_matches(c.postcode, '{_UK_POSTCODE}') then regexp_extract(c.postcode, '{_UK_POSTCODE}', 1)
        when length(c.postcode) >= 4 then left(c.postcode, length(c.postcode) - 1)
    end as postcode_district,
    case when regexp_matches(c.postcode, '{_UK_POSTCODE}') then left(c.postcode, length(c.postcode) - 2) end
        as postcode_sector,
    case when len(c.address_words) > 0 then c.address_words end as address_words,
    case when len(c.address_words) > 0 then array_to_string(list_sort(list_distinct(c.address_words)), ' ') end
        as address_key,
    c.pnc, c.cro, c.nomis, c.nhs,
    c.other_ids,
    list_transform(c.other_ids, lambda x: split_part(x, ':', 1)) as other_schemes
from named c
left join __iom_nicknames n on n.name = c.given_name
left join __iom_sounds family_sound on family_sound.name = c.family_name
left join __iom_sounds given_sound on given_sound.name = coalesce(n.canonical, c.given_name)
"""


# -- comparisons ---------------------------------------------------------------------------------------

_SWAPPED = "given_name_l = family_name_r and family_name_l = given_name_r"
_INITIAL = (
    "(length(given_name_l) = 1 or length(given_name_r) = 1) "
    "and substr(given_name_l, 1, 1) = substr(given_name_r, 1, 1)"
)


def _family_comparison() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="family_name",
        comparison_description="Last names",
        comparison_levels=[
            cll.NullLevel("family_name").configure(label_for_charts="a last name is missing from one record"),
            cll.ExactMatchLevel("family_name", term_frequency_adjustments=True).configure(
                label_for_charts="Last names match exactly"
            ),
            cll.CustomLevel(_SWAPPED, base_dialect_str="duckdb").configure(
                label_for_charts="Last name given as the first name (names swapped)"
            ),
            cll.DamerauLevenshteinLevel("family_name", 1).configure(
                label_for_charts="Last names match apart from a typing slip"
            ),
            cll.JaroWinklerLevel("family_name", 0.9).configure(
                label_for_charts="Last names are very similar"
            ),
            cll.JaroWinklerLevel("family_name", 0.8).configure(label_for_charts="Last names are similar"),
            cll.ElseLevel().configure(label_for_charts="Last names are different"),
        ],
    )


# m and u for the first-name swap level: fixed, not learnt, at a weight of next to nothing (+0.001),
# not exactly zero, which is a missing name's weight: explanations find the level by its weight.
SWAP_COUNTED_ONCE_M = 0.001
SWAP_COUNTED_ONCE_U = SWAP_COUNTED_ONCE_M / 2**0.001


def _given_comparison() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="given_name",
        comparison_description="First names",
        comparison_levels=[
            cll.NullLevel("given_name").configure(label_for_charts="a first name is missing from one record"),
            cll.ExactMatchLevel("given_canonical", term_frequency_adjustments=True).configure(
                label_for_charts="First names match (nicknames allowed for: Bob and Robert agree)"
            ),
            # A swap is one fact, weighed once (under last names): weighed here too it counted twice,
            # and two different IAN BROWNs, one written BROWN IAN, outscored an exact match.
            cll.CustomLevel(_SWAPPED, base_dialect_str="duckdb").configure(
                label_for_charts="First name given as the last name (names swapped: weighed under last names)",
                m_probability=SWAP_COUNTED_ONCE_M,
                u_probability=SWAP_COUNTED_ONCE_U,
                fix_m_probability=True,
                fix_u_probability=True,
            ),
            cll.DamerauLevenshteinLevel("given_name", 1).configure(
                label_for_charts="First names match apart from a typing slip"
            ),
            cll.ArrayIntersectLevel("given_names", 1).configure(
                label_for_charts="Another given name in common (e.g. known by a middle name)"
            ),
            cll.JaroWinklerLevel("given_canonical", 0.88).configure(
                label_for_charts="First names are similar"
            ),
            cll.CustomLevel(_INITIAL, base_dialect_str="duckdb").configure(
                label_for_charts="One record gives only the first initial, and it matches"
            ),
            cll.ElseLevel().configure(label_for_charts="First names are different"),
        ],
    )


_DAY_MONTH_SWAPPED = (
    "substr(dob_l, 1, 4) = substr(dob_r, 1, 4) and substr(dob_l, 6, 2) = substr(dob_r, 9, 2) "
    "and substr(dob_l, 9, 2) = substr(dob_r, 6, 2)"
)
_TWO_OF_THREE = (
    "(substr(dob_l, 1, 4) = substr(dob_r, 1, 4) and substr(dob_l, 6, 2) = substr(dob_r, 6, 2)) "
    "or (substr(dob_l, 1, 4) = substr(dob_r, 1, 4) and substr(dob_l, 9, 2) = substr(dob_r, 9, 2)) "
    "or (substr(dob_l, 6, 5) = substr(dob_r, 6, 5))"
)


def _dob_comparison() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="dob",
        comparison_description="Dates of birth",
        comparison_levels=[
            cll.NullLevel("dob").configure(label_for_charts="a date of birth is missing from one record"),
            cll.ExactMatchLevel("dob").configure(label_for_charts="Dates of birth match exactly"),
            cll.CustomLevel(_DAY_MONTH_SWAPPED, base_dialect_str="duckdb").configure(
                label_for_charts="Dates of birth match with day and month swapped"
            ),
            cll.DamerauLevenshteinLevel("dob", 1).configure(
                label_for_charts="Dates of birth differ by one digit or two swapped digits"
            ),
            cll.CustomLevel(_TWO_OF_THREE, base_dialect_str="duckdb").configure(
                label_for_charts="Dates of birth differ in one of day, month or year"
            ),
            cll.DamerauLevenshteinLevel("dob", 2).configure(
                label_for_charts="Dates of birth differ by two digits"
            ),
            cll.ElseLevel().configure(label_for_charts="Dates of birth are different"),
        ],
    )


_NO_ADDRESS = (
    "(postcode_l is null and address_key_l is null) or (postcode_r is null and address_key_r is null)"
)


def _address_comparison() -> cl.CustomComparison:
    """Postcode and address as one comparison: they say the same thing twice, so counted once."""
    return cl.CustomComparison(
        output_column_name="address",
        comparison_description="Addresses and postcodes",
        comparison_levels=[
            cll.CustomLevel(_NO_ADDRESS, base_dialect_str="duckdb")
            .configure(is_null_level=True)
            .configure(label_for_charts="an address and postcode are missing from one record"),
            cll.And(cll.ExactMatchLevel("address_key"), cll.ExactMatchLevel("postcode")).configure(
                label_for_charts="Address and postcode match"
            ),
            cll.ExactMatchLevel("postcode", term_frequency_adjustments=True).configure(
                label_for_charts="Postcodes match exactly"
            ),
            cll.ExactMatchLevel("address_key").configure(
                label_for_charts="Addresses match (the same words, in any order)"
            ),
            cll.ArrayIntersectLevel("address_words", 3).configure(
                label_for_charts="Addresses share three or more words"
            ),
            cll.DamerauLevenshteinLevel("postcode", 1).configure(
                label_for_charts="Postcodes match apart from a typing slip"
            ),
            cll.ExactMatchLevel("postcode_sector").configure(
                label_for_charts="Postcodes are in the same sector"
            ),
            cll.ExactMatchLevel("postcode_district").configure(
                label_for_charts="Postcodes are in the same district"
            ),
            cll.ElseLevel().configure(label_for_charts="Addresses and postcodes are different (people move)"),
        ],
    )


_NO_SCHEME_IN_COMMON = (
    "other_schemes_l is null or other_schemes_r is null "
    "or array_length(array_intersect(other_schemes_l, other_schemes_r)) = 0"
)


def _declared_identifiers_comparison() -> cl.CustomComparison:
    """Identifiers in schemes agencies declare (a council's case number held by two agencies)."""
    return cl.CustomComparison(
        output_column_name="other_ids",
        comparison_description="Other identifiers",
        comparison_levels=[
            cll.CustomLevel(_NO_SCHEME_IN_COMMON, base_dialect_str="duckdb")
            .configure(is_null_level=True)
            .configure(label_for_charts="no identifier scheme in common"),
            cll.ArrayIntersectLevel("other_ids", 1).configure(
                label_for_charts="An identifier in an agency-declared scheme matches"
            ),
            cll.ElseLevel().configure(label_for_charts="Identifiers in an agency-declared scheme differ"),
        ],
    )


def _exact(column: str, description: str, same: str, different: str) -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name=column,
        comparison_description=description,
        comparison_levels=[
            cll.NullLevel(column).configure(label_for_charts=f"{description} missing from one record"),
            cll.ExactMatchLevel(column).configure(label_for_charts=same),
            cll.ElseLevel().configure(label_for_charts=different),
        ],
    )


def comparisons() -> list[cl.CustomComparison]:
    """How two records are compared: every field on its own, so a missing one removes only its evidence."""
    return [
        _family_comparison(),
        _given_comparison(),
        _dob_comparison(),
        _address_comparison(),
        _exact("sex", "Sex", "Sex recorded the same", "Sex recorded differently"),
        *[
            _exact(
                scheme,
                IDENTIFIER_LABELS[scheme],
                f"{IDENTIFIER_LABELS[scheme]} match",
                f"{IDENTIFIER_LABELS[scheme]} differ",
            )
            for scheme in IDENTIFIER_SCHEMES
        ],
        _declared_identifiers_comparison(),
    ]


def blocking_rules() -> list:
    """Which pairs are compared at all: equality joins, chosen by measuring which true pairs each rule
    keeps on extracts without national identifiers, against the pairs it adds (docs/benchmarks.md)."""
    return [
        block_on("dob"),
        block_on("family_name", "given_canonical"),
        block_on("family_name", "birth_year"),
        block_on("family_start", "given_canonical"),
        block_on("family_start", "postcode"),
        block_on("family_name", "initials"),
        block_on("initials", "birth_year", "postcode_district"),
        block_on("initials", "birth_day"),
        block_on("given_canonical", "postcode"),
        block_on("family_name", "postcode_district"),
        block_on("postcode", "birth_year"),
        block_on("address_key"),
        # Multi-error duplicates the rules above missed on extract-like data (docs/benchmarks.md):
        # a year slip with no first name, names swapped, a family name typo in its first letters.
        block_on("family_name", "birth_day"),
        CustomRule("l.family_name = r.given_name and l.given_name = r.family_name"),
        block_on("given_canonical", "birth_year"),
        block_on("family_name", "substr(given_name, 1, 1)"),
        # Slips in both names and the date of birth (7 December, second round): names that sound
        # alike; the family name's letters, its consonants, or its sound, with the year of birth;
        # the same family name where one record has neither a first name nor a date of birth (both
        # ways round, so each join starts from the few bare records: every record without a first
        # name against its whole family name grew with the square of the records).
        block_on("family_sound", "given_sound"),
        block_on("family_letters", "birth_year"),
        block_on("family_consonants", "birth_year"),
        block_on("family_sound", "birth_year"),
        CustomRule("l.family_name = r.family_name and l.given_name is null and l.dob is null"),
        CustomRule("l.family_name = r.family_name and r.given_name is null and r.dob is null"),
        *[block_on(scheme) for scheme in IDENTIFIER_SCHEMES],
    ]


def settings(probability_two_random_records_match: float = 1e-5) -> SettingsCreator:
    # Splink types the list as its base class's (invariant), so it is declared so.
    creators: list[ComparisonCreator | dict[str, Any]] = [*comparisons()]
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=creators,
        blocking_rules_to_generate_predictions=blocking_rules(),
        probability_two_random_records_match=probability_two_random_records_match,
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=True,
        max_iterations=20,
    )


# Splink 5 records every custom comparison as "CustomComparison": keep the words people read here.
DESCRIPTIONS = {
    "family_name": "Last names",
    "given_name": "First names",
    "dob": "Dates of birth",
    "address": "Addresses and postcodes",
    "sex": "Sex",
    "other_ids": "Other identifiers",
    **IDENTIFIER_LABELS,
}

# Columns whose exact-match level is adjusted for how common the value is.
TERM_FREQUENCY_COLUMNS = ("family_name", "given_canonical", "postcode")


def describe(model: dict[str, Any]) -> None:
    for comparison in model.get("comparisons", []):
        comparison["comparison_description"] = DESCRIPTIONS.get(
            comparison["output_column_name"], comparison["output_column_name"]
        )
