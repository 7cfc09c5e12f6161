"""Synthetic source records with ground truth: each agency's view of the same (made-up) people.

The errors are the ones partnerships see in real extracts: typos, nicknames, first and last names
swapped, dates of birth missing or with day and month transposed, people who have moved, identifiers
not recorded, the same agency holding two records for one person, and twins. The same seed always
gives the same records, at any scale, and every record carries the key of the person it truly
describes so linkage can be scored against the truth.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field

from iomshare.demo import source_words as words
from iomshare.identity.nicknames import nicknames_for

DEFAULT_SEED = 2026

# The share of people each agency holds a record for (everyone is held by at least one).
AGENCY_REACH = {
    "police": 0.80,
    "probation": 0.55,
    "prison": 0.35,
    "council": 0.35,
    "health": 0.45,
    "charity": 0.25,
}
# Which identifiers each agency records, and how often it has them when it should.
AGENCY_IDENTIFIERS: dict[str, dict[str, float]] = {
    "police": {"pnc": 0.95, "cro": 0.5},
    "probation": {"pnc": 0.7},
    "prison": {"nomis": 0.95, "pnc": 0.6},
    "council": {"nhs": 0.1},
    "health": {"nhs": 0.9},
    "charity": {},
}
LOCAL_PREFIX = {
    "police": "POL",
    "probation": "CRN",
    "prison": "HMP",
    "council": "HOU",
    "health": "GP",
    "charity": "SCM",
}


@dataclass(frozen=True)
class ErrorRates:
    """How often each kind of error appears in a record (a share of records).

    Set somewhat above the rates published for English administrative data (1-3% of names
    mistyped, a few per cent of dates of birth missing or wrong) so the model is tested harder than
    a real extract would test it; nicknames and moves are as common as practitioners report.
    """

    nickname: float = 0.10
    given_typo: float = 0.03
    family_typo: float = 0.03
    swapped_names: float = 0.02
    dob_missing: float = 0.04
    dob_transposed: float = 0.02
    dob_typo: float = 0.015
    moved: float = 0.30
    postcode_missing: float = 0.05
    sex_missing: float = 0.02
    alias: float = 0.05
    same_agency_duplicate: float = 0.04
    twins: float = 0.01
    # Harder, as real extracts are (all off by default, so the default stream is unchanged):
    middle_name: float = 0.0  # people with a second given name (written in full, as an initial, or left out)
    given_missing: float = 0.0  # first name not recorded
    address_format: float = 0.0  # the address written another way (abbreviated, flat first, postcode in it)
    dob_field_slip: float = 0.0  # the whole day, month or year wrong
    dob_impossible: float = 0.0  # a date that cannot be (day 92, month 13), as some extracts hold
    several_errors: float = 0.0  # a record that carries two or three more errors on top


# Rates like a real agency extract rather than a tidy one: several errors per duplicate, impossible
# dates, addresses in many formats, second given names. Used with `national_identifiers=False` to
# measure linkage where the UK identifiers are absent (VCS and council extracts especially).
EXTRACT_RATES = ErrorRates(
    nickname=0.10,
    given_typo=0.04,
    family_typo=0.04,
    swapped_names=0.02,
    dob_missing=0.04,
    dob_transposed=0.03,
    dob_typo=0.03,
    moved=0.30,
    postcode_missing=0.08,
    middle_name=0.4,
    given_missing=0.03,
    address_format=0.5,
    dob_field_slip=0.02,
    dob_impossible=0.01,
    several_errors=0.10,
)


@dataclass
class GeneratedRecord:
    """One agency's record of a person, as that agency would send it, plus the truth."""

    agency: str
    record_key: str
    given_name: str
    family_name: str
    date_of_birth: dt.date | None
    sex: str
    postcode: str
    address: str
    identifiers: dict[str, str]
    aliases: list[str] = field(default_factory=list)
    person_key: int = 0  # ground truth: records with the same key describe the same person
    # A date of birth as written when it cannot be a date ("1984-05-92"); date_of_birth is then None.
    date_of_birth_text: str = ""

    @property
    def written_date_of_birth(self) -> str:
        """The date of birth as the agency wrote it, impossible or not."""
        if self.date_of_birth_text:
            return self.date_of_birth_text
        return self.date_of_birth.isoformat() if self.date_of_birth else ""

    def as_submission(self) -> dict:
        """The record as an agency would submit it (no ground truth)."""
        return {
            "record_key": self.record_key,
            "given_name": self.given_name,
            "family_name": self.family_name,
            "date_of_birth": self.written_date_of_birth,
            "sex": self.sex,
            "postcode": self.postcode,
            "address": self.address,
            "identifiers": dict(self.identifiers),
            "aliases": list(self.aliases),
        }


@dataclass
class _TruePerson:
    key: int
    given: str
    family: str
    sex: str
    dob: dt.date
    postcodes: list[tuple[str, str]]  # (postcode, address), most recent first
    identifiers: dict[str, str]
    middle: str = ""


class SourceRecordGenerator:
    """Draws people and each agency's records of them from one seeded random stream."""

    def __init__(
        self,
        seed: int = DEFAULT_SEED,
        rates: ErrorRates | None = None,
        reach: Mapping[str, float] | None = None,
        national_identifiers: bool | Collection[str] = True,
    ) -> None:
        self.seed = seed
        # True: every agency records the UK identifiers it usually holds; False: none does; or the
        # agencies that do (the others send names, dates and addresses only).
        if national_identifiers is True:
            self.with_identifiers = set(AGENCY_REACH)
        elif national_identifiers is False:
            self.with_identifiers = set()
        else:
            self.with_identifiers = set(national_identifiers)
        self.rates = rates or ErrorRates()
        # An IOM cohort is known to more agencies than the partnership's records at large (the police
        # know every member), so the demo passes its own reach.
        self.reach = dict(reach or AGENCY_REACH)
        unknown = sorted(set(self.reach) - set(AGENCY_REACH))
        if unknown:
            raise ValueError(f"The generator knows no agency {', '.join(unknown)}.")
        self.rng = random.Random(seed)
        self._person_index = 0
        self._record_counters = dict.fromkeys(AGENCY_REACH, 0)

    # -- people ------------------------------------------------------------------------------

    def _surname(self) -> str:
        rng = self.rng
        if rng.random() < 0.6:
            return rng.choices(words.COMMON_SURNAMES, cum_weights=words.SURNAME_CUMULATIVE)[0]
        return rng.choice(words.SURNAME_STARTS) + rng.choice(words.SURNAME_ENDS)

    def _address(self) -> tuple[str, str]:
        rng = self.rng
        area = rng.choice(words.OUTWARD_AREAS)
        outward = f"{area}{rng.randint(1, 29)}"
        inward = f"{rng.randint(1, 9)}{rng.choice(words.INWARD_LETTERS)}{rng.choice(words.INWARD_LETTERS)}"
        address = f"{rng.randint(1, 180)} {rng.choice(words.STREETS)}, {rng.choice(words.TOWNS)}"
        return f"{outward} {inward}", address

    def _new_person(self, *, twin_of: _TruePerson | None = None) -> _TruePerson:
        rng = self.rng
        index = self._person_index
        self._person_index += 1
        sex = "M" if rng.random() < 0.85 else "F"
        given = rng.choice(words.MALE if sex == "M" else words.FEMALE)
        if twin_of is not None:
            while given == twin_of.given:
                given = rng.choice(words.MALE if sex == "M" else words.FEMALE)
            family, dob, postcodes = twin_of.family, twin_of.dob, list(twin_of.postcodes)
        else:
            family = self._surname()
            dob = words.EARLIEST_BIRTH + dt.timedelta(
                days=rng.randint(0, (words.LATEST_BIRTH - words.EARLIEST_BIRTH).days)
            )
            postcodes = [self._address() for _ in range(rng.randint(1, 3))]
        identifiers = {
            "pnc": words.pnc(index, dob),
            "cro": words.cro(index, dob),
            "nomis": words.nomis(index),
        }
        if nhs := words.nhs(index):
            identifiers["nhs"] = nhs
        middle = ""
        if self.rates.middle_name and rng.random() < self.rates.middle_name:
            middle = rng.choice(words.MALE if sex == "M" else words.FEMALE)
        return _TruePerson(index, given, family, sex, dob, postcodes, identifiers, middle)

    # -- errors ------------------------------------------------------------------------------

    def _typo(self, name: str) -> str:
        rng = self.rng
        if len(name) < 3:
            return name
        at = rng.randint(1, len(name) - 1)
        kind = rng.random()
        if kind < 0.3:  # a neighbouring key
            neighbours = words.KEYBOARD_NEIGHBOURS.get(name[at], "E")
            return name[:at] + rng.choice(neighbours) + name[at + 1 :]
        if kind < 0.55:  # a letter dropped
            return name[:at] + name[at + 1 :]
        if kind < 0.8:  # two letters swapped
            at = min(at, len(name) - 2)
            return name[:at] + name[at + 1] + name[at] + name[at + 2 :]
        return name[:at] + name[at] + name[at:]  # a letter doubled

    def _dob_as_recorded(self, dob: dt.date) -> dt.date | None:
        rng, rates = self.rng, self.rates
        roll = rng.random()
        if roll < rates.dob_missing:
            return None
        roll -= rates.dob_missing
        if roll < rates.dob_transposed and dob.day <= 12 and dob.day != dob.month:
            return dob.replace(month=dob.day, day=dob.month)
        roll -= rates.dob_transposed
        if roll < rates.dob_typo:
            for _ in range(5):
                digits = list(dob.strftime("%Y%m%d"))
                at = rng.choice([2, 3, 6, 7])
                digits[at] = str((int(digits[at]) + rng.choice([1, 9])) % 10)
                text = "".join(digits)
                try:
                    typed = dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
                except ValueError:
                    continue
                if words.EARLIEST_BIRTH.replace(year=1950) <= typed <= words.LATEST_BIRTH:
                    return typed
        return dob

    def _case(self, name: str, agency: str) -> str:
        # Prisons and the police record names in capitals; others as people write them.
        return name if agency in {"police", "prison"} else name.title()

    def _record(self, person: _TruePerson, agency: str) -> GeneratedRecord:  # noqa: C901 (synthetic data: one branch per kind of slip it puts into a record)
        rng, rates = self.rng, self.rates
        given, family = person.given, person.family
        nicknames = nicknames_for(given)
        if nicknames and rng.random() < rates.nickname * 2.5:  # only some names have nicknames
            given = rng.choice(nicknames)
        if rng.random() < rates.given_typo:
            given = self._typo(given)
        if rng.random() < rates.family_typo:
            family = self._typo(family)
        aliases = []
        if rng.random() < rates.alias:
            aliases.append(f"{rng.choice(nicknames or (person.given,))} {self._surname()}".title())
        if rng.random() < rates.swapped_names:
            given, family = family, given
        if rng.random() < rates.moved and len(person.postcodes) > 1:
            postcode, address = rng.choice(person.postcodes[1:])
        elif rng.random() < rates.moved / 3:
            postcode, address = self._address()  # an address the partnership has not seen elsewhere
        else:
            postcode, address = person.postcodes[0]
        if rng.random() < rates.postcode_missing:
            postcode = ""
        self._record_counters[agency] += 1
        number = self._record_counters[agency]
        identifiers = {
            scheme: person.identifiers[scheme]
            for scheme, share in AGENCY_IDENTIFIERS[agency].items()
            if scheme in person.identifiers and rng.random() < share
        }
        if agency not in self.with_identifiers:
            identifiers = {}
        identifiers["local"] = f"{LOCAL_PREFIX[agency]}-{number:08d}"
        record = GeneratedRecord(
            agency=agency,
            record_key=f"{LOCAL_PREFIX[agency]}-{number:08d}",
            given_name=self._case(given, agency),
            family_name=self._case(family, agency),
            date_of_birth=self._dob_as_recorded(person.dob),
            sex="" if rng.random() < rates.sex_missing else person.sex,
            postcode=postcode,
            address=address if postcode else "",
            identifiers=identifiers,
            aliases=aliases,
            person_key=person.key,
        )
        if self.harder:
            self._extract_errors(record, person)
        return record

    @property
    def harder(self) -> bool:
        rates = self.rates
        return any(
            (
                rates.middle_name,
                rates.given_missing,
                rates.address_format,
                rates.dob_field_slip,
                rates.dob_impossible,
                rates.several_errors,
            )
        )

    def _extract_errors(self, record: GeneratedRecord, person: _TruePerson) -> None:  # noqa: C901 (synthetic data: one branch per kind of slip it puts into an extract)
        """The errors of real extracts, on top of the tidy ones (drawn only when their rates are set)."""
        rng, rates = self.rng, self.rates
        if person.middle and record.given_name and rng.random() < 0.6:
            middle = person.middle if rng.random() < 0.6 else person.middle[0]
            record.given_name = self._case(f"{record.given_name} {middle}", record.agency)
        if record.address and rng.random() < rates.address_format:
            record.address = words.reformatted(record.address, record.postcode, rng)
        extra = rng.randint(2, 3) if rng.random() < rates.several_errors else 0
        kinds = ["given", "family", "dob", "postcode", "sex"]
        for kind in rng.sample(kinds, extra):
            if kind == "given" and record.given_name:
                record.given_name = self._typo(record.given_name.upper()).title()
            elif kind == "family":
                record.family_name = self._typo(record.family_name.upper()).title()
            elif kind == "dob" and record.date_of_birth:
                record.date_of_birth = self._slipped_date(record.date_of_birth)
            elif kind == "postcode":
                record.postcode = ""
            elif kind == "sex":
                record.sex = ""
        if rng.random() < rates.given_missing:
            record.given_name = ""
        if record.date_of_birth and rng.random() < rates.dob_field_slip:
            record.date_of_birth = self._slipped_date(record.date_of_birth)
        if record.date_of_birth and rng.random() < rates.dob_impossible:
            dob = record.date_of_birth
            record.date_of_birth_text = rng.choice(
                [f"{dob.year}-{dob.month:02d}-{dob.day + 60}", f"{dob.year}-{dob.month + 12}-{dob.day:02d}"]
            )
            record.date_of_birth = None

    def _slipped_date(self, dob: dt.date) -> dt.date:
        """The same date with one whole field wrong: another day, month, or a year a little off."""
        rng = self.rng
        kind = rng.random()
        try:
            if kind < 0.4:
                return dob.replace(day=rng.randint(1, 28))
            if kind < 0.7:
                return dob.replace(month=rng.randint(1, 12))
            return dob.replace(year=dob.year + rng.choice([-2, -1, 1, 2]))
        except ValueError:  # 29 February in another year
            return dob.replace(day=28)

    # -- the stream --------------------------------------------------------------------------

    def _records_of(self, person: _TruePerson) -> list[GeneratedRecord]:
        rng = self.rng
        agencies = [agency for agency, reach in self.reach.items() if rng.random() < reach]
        if not agencies:
            agencies = [rng.choice(list(self.reach))]
        records = [self._record(person, agency) for agency in agencies]
        if rng.random() < self.rates.same_agency_duplicate:
            records.append(self._record(person, rng.choice(agencies)))
        return records

    def records(self) -> Iterator[GeneratedRecord]:
        """An endless stream of records, person by person (each person's records together)."""
        while True:
            person = self._new_person()
            yield from self._records_of(person)
            if self.rng.random() < self.rates.twins:
                yield from self._records_of(self._new_person(twin_of=person))


def generate(
    count: int,
    *,
    seed: int = DEFAULT_SEED,
    rates: ErrorRates | None = None,
    reach: Mapping[str, float] | None = None,
    national_identifiers: bool | Collection[str] = True,
) -> list[GeneratedRecord]:
    """`count` source records from the seeded stream: the same seed and count give the same records."""
    if count < 0:
        raise ValueError("The number of records cannot be negative.")
    stream = SourceRecordGenerator(seed, rates, reach, national_identifiers).records()
    return [next(stream) for _ in range(count)]


def iter_generate(
    count: int,
    *,
    seed: int = DEFAULT_SEED,
    rates: ErrorRates | None = None,
    reach: Mapping[str, float] | None = None,
    national_identifiers: bool | Collection[str] = True,
) -> Iterator[GeneratedRecord]:
    """As `generate`, one record at a time, so a million records never sit in memory together."""
    stream = SourceRecordGenerator(seed, rates, reach, national_identifiers).records()
    for _ in range(count):
        yield next(stream)


def records_of_people(
    people: int,
    *,
    seed: int = DEFAULT_SEED,
    rates: ErrorRates | None = None,
    reach: Mapping[str, float] | None = None,
    national_identifiers: bool | Collection[str] = True,
) -> list[GeneratedRecord]:
    """Every record of the first `people` people of the seeded stream (twins count as people)."""
    if people < 0:
        raise ValueError("The number of people cannot be negative.")
    records: list[GeneratedRecord] = []
    for record in SourceRecordGenerator(seed, rates, reach, national_identifiers).records():
        if record.person_key >= people:
            return records
        records.append(record)
    raise AssertionError("unreachable: the stream is endless")
