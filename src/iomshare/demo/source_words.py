"""The words and numbers synthetic source records are made of: names, streets, towns, postcodes,
the typing slips of a keyboard, the ways agencies write an address, and identifiers in each scheme's
format drawn from ranges no real person holds (the NHS's test range; serials permuted, not issued)."""

from __future__ import annotations

import datetime as dt
import itertools
import random
import string

from faker.providers.person.en_GB import Provider as _EnglishNames

from iomshare.people.identifiers import pnc_check_letter

MALE = [name.upper() for name in _EnglishNames.first_names_male]
FEMALE = [name.upper() for name in _EnglishNames.first_names_female]
COMMON_SURNAMES = [name.upper() for name in _EnglishNames.last_names]
SURNAME_CUMULATIVE = list(itertools.accumulate(_EnglishNames.last_names.values()))
# A long tail of English-looking surnames: real populations have tens of thousands of surnames,
# and a pool of 500 would make blocking far harder than it is on real data.
SURNAME_STARTS = [
    "ASH",
    "BLACK",
    "BRAD",
    "BROOK",
    "CALD",
    "CLAY",
    "CRAN",
    "DAL",
    "DEN",
    "DRAY",
    "EAST",
    "FAIR",
    "FARN",
    "GOLD",
    "GREEN",
    "HAL",
    "HART",
    "HAW",
    "HEATH",
    "HOL",
    "KNIGHT",
    "LANG",
    "LEE",
    "LIT",
    "MARSH",
    "MID",
    "MOOR",
    "NEW",
    "NOR",
    "OAK",
    "PEN",
    "RAD",
    "RED",
    "ROCK",
    "ROS",
    "SAND",
    "SHAW",
    "SOUTH",
    "STAN",
    "STOCK",
    "SUTH",
    "THORN",
    "TOWN",
    "WAL",
    "WEST",
    "WHIT",
    "WIN",
    "WOOD",
    "WORTH",
    "YARD",
]
SURNAME_ENDS = [
    "BURN",
    "BURY",
    "BY",
    "COTT",
    "DALE",
    "DEN",
    "FIELD",
    "FORD",
    "GATE",
    "HAM",
    "HILL",
    "HURST",
    "INGTON",
    "LAND",
    "LEY",
    "LOW",
    "MAN",
    "MORE",
    "STEAD",
    "STON",
    "THWAITE",
    "TON",
    "WELL",
    "WICK",
    "WOOD",
    "WORTH",
]
STREETS = [
    "Mill Lane",
    "Church Street",
    "Station Road",
    "Victoria Road",
    "Park Avenue",
    "High Street",
    "Green Lane",
    "Manor Road",
    "Chapel Street",
    "Kings Road",
    "Queen Street",
    "New Road",
    "Albert Road",
    "Grange Road",
    "Moor Lane",
    "Beech Grove",
    "Elm Terrace",
    "Canal Side",
    "Bridge Street",
    "Springfield Road",
]
TOWNS = ["Northby", "Castleford Moor", "Aireton", "Holmbridge", "Kelderwick", "Sowerdale", "Brackenthorpe"]
OUTWARD_AREAS = ["LS", "BD", "WF", "HD", "HX"]
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
KEYBOARD_NEIGHBOURS = {
    "A": "SQZ",
    "B": "VNG",
    "C": "XVD",
    "D": "SFE",
    "E": "WRD",
    "F": "DGR",
    "G": "FHT",
    "H": "GJY",
    "I": "UOK",
    "J": "HKU",
    "K": "JLI",
    "L": "KOP",
    "M": "NJ",
    "N": "BMH",
    "O": "IPL",
    "P": "OL",
    "Q": "WA",
    "R": "ETF",
    "S": "ADW",
    "T": "RYG",
    "U": "YIJ",
    "V": "CBF",
    "W": "QES",
    "X": "ZCS",
    "Y": "TUH",
    "Z": "XA",
}
EARLIEST_BIRTH = dt.date(1960, 1, 1)
LATEST_BIRTH = dt.date(2007, 12, 31)


ABBREVIATIONS = {
    "Street": "St",
    "Road": "Rd",
    "Avenue": "Ave",
    "Lane": "Ln",
    "Terrace": "Ter",
    "Grove": "Gr",
}


def reformatted(address: str, postcode: str, rng: random.Random) -> str:
    """The same address written as another agency's system writes it."""
    style = rng.random()
    text = address
    if style < 0.35:
        for word, short in ABBREVIATIONS.items():
            text = text.replace(word, short)
    elif style < 0.55:
        text = f"Flat {rng.randint(1, 9)}, {text}"
    elif style < 0.75:
        text = f"{text}, {postcode}" if postcode else text
    elif style < 0.9:
        text = text.upper().replace(",", "")
    else:
        number, _, rest = text.partition(" ")
        text = f"{rest.split(',')[0]} {number}, {rest.split(',')[-1].strip()}"  # number after the street
    return text


def permuted(index: int, modulus: int, multiplier: int, offset: int) -> int:
    """A bijection on range(modulus): distinct people get distinct serial numbers, with no bookkeeping."""
    return (index * multiplier + offset) % modulus


def pnc(index: int, dob: dt.date) -> str:
    year = str(min(dob.year + 16 + index % 7, 2025))
    serial = str(permuted(index, 10_000_000, 7_654_321, 1_234_567))
    return f"{year}/{serial.zfill(7)}{pnc_check_letter(year, serial)}"


def cro(index: int, dob: dt.date) -> str:
    year = min(dob.year + 17, 2025) % 100
    serial = permuted(index, 1_000_000, 654_321, 4_321) + 1
    if serial > 999_999:
        serial = 1
    return f"{serial}/{year:02d}{string.ascii_uppercase[index % 26]}"


def nomis(index: int) -> str:
    serial = permuted(index, 2 * 10_000 * 676, 1_234_567, 98_765)
    letter, rest = divmod(serial, 10_000 * 676)
    digits, pair = divmod(rest, 676)
    return (
        f"{'AG'[letter]}{digits:04d}{string.ascii_uppercase[pair // 26]}{string.ascii_uppercase[pair % 26]}"
    )


def nhs(index: int) -> str | None:
    """A number in 999 000 0000-999 999 9999, the range the NHS keeps for test data, so never a patient's."""
    digits = "999" + f"{permuted(index, 1_000_000, 123_457, 31_337):06d}"
    total = sum(int(d) * (10 - i) for i, d in enumerate(digits))
    check = (11 - total % 11) % 11
    return None if check == 10 else digits + str(check)
