"""The synthetic generator: deterministic from its seed, realistic errors, ground truth kept."""

from collections import Counter

from iomshare.demo.source_records import ErrorRates, generate, iter_generate
from iomshare.people.identifiers import normalise_cro, normalise_nhs_number, normalise_nomis, normalise_pnc


def test_the_same_seed_gives_the_same_records_and_another_seed_different_ones():
    assert generate(500, seed=7) == generate(500, seed=7)
    assert generate(500, seed=7) != generate(500, seed=8)


def test_a_larger_run_starts_with_the_records_of_a_smaller_one():
    assert list(iter_generate(1200, seed=3))[:400] == generate(400, seed=3)


def test_every_person_is_known_to_several_agencies_under_different_local_keys():
    records = generate(3000, seed=5)
    by_person = Counter(r.person_key for r in records)
    assert 2.0 < len(records) / len(by_person) < 3.5
    keys = [(r.agency, r.record_key) for r in records]
    assert len(keys) == len(set(keys))


def test_records_carry_the_errors_partnerships_see():
    records = generate(6000, seed=11)
    truth: dict[int, list] = {}
    for record in records:
        truth.setdefault(record.person_key, []).append(record)
    nicknames = swapped = missing_dob = transposed = moved = 0
    for group in truth.values():
        first = group[0]
        for other in group[1:]:
            if other.given_name.upper() in {
                "BOB",
                "ROB",
                "BILL",
                "JIM",
                "DAVE",
                "MIKE",
                "TONY",
                "STEVE",
                "CHRIS",
                "TOM",
            }:
                nicknames += 1
            if (
                other.given_name.upper() == first.family_name.upper()
                and other.family_name.upper() == first.given_name.upper()
            ):
                swapped += 1
            if other.date_of_birth is None:
                missing_dob += 1
            elif (
                first.date_of_birth
                and (other.date_of_birth.month, other.date_of_birth.day)
                == (
                    first.date_of_birth.day,
                    first.date_of_birth.month,
                )
                and first.date_of_birth.day != first.date_of_birth.month
            ):
                transposed += 1
            if other.postcode and first.postcode and other.postcode != first.postcode:
                moved += 1
    assert nicknames > 20 and swapped > 10 and missing_dob > 50 and transposed > 5 and moved > 300


def test_generated_identifiers_pass_their_check_digits_and_differ_between_people():
    records = generate(4000, seed=13)
    owners: dict[tuple[str, str], int] = {}
    checks = {
        "pnc": normalise_pnc,
        "nhs": normalise_nhs_number,
        "nomis": normalise_nomis,
        "cro": normalise_cro,
    }
    for record in records:
        for scheme, value in record.identifiers.items():
            if scheme in checks:
                assert checks[scheme](value) == value
            assert owners.setdefault((scheme, value), record.person_key) == record.person_key


def test_twins_share_surname_birth_date_and_address_but_not_first_name_or_identifiers():
    records = generate(8000, seed=17, rates=ErrorRates(twins=0.2))
    people: dict[int, list] = {}
    for record in records:
        people.setdefault(record.person_key, []).append(record)
    twins = [
        (people[key], people[key + 1])
        for key in people
        if key + 1 in people
        and people[key][0].family_name.upper() == people[key + 1][0].family_name.upper()
        and any(
            a.date_of_birth and a.date_of_birth == b.date_of_birth
            for a in people[key]
            for b in people[key + 1]
        )
    ]
    assert len(twins) > 50
