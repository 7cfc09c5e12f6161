"""Given names and the short forms agencies record instead (Robert, Bob, Rob, Bobby...).

A police record says "Bob", the prison record "Robert": both reduce to one canonical form so the
linkage model can count them as the same name. Small and hand-written for synthetic data; a
partnership can extend it without retraining the model's other comparisons.
"""

from __future__ import annotations

# canonical form -> the nicknames and short forms that stand for it (upper case).
NICKNAMES: dict[str, tuple[str, ...]] = {
    "ALEXANDER": ("ALEX", "ALEC", "SANDY", "XANDER"),
    "ALEXANDRA": ("ALEX", "LEXI", "SANDRA"),
    "ANDREW": ("ANDY", "DREW"),
    "ANTHONY": ("TONY", "ANT"),
    "BENJAMIN": ("BEN", "BENNY"),
    "CATHERINE": ("CATH", "CATHY", "KATE", "KATIE", "KAT"),
    "CHARLES": ("CHARLIE", "CHAS", "CHUCK"),
    "CHARLOTTE": ("LOTTIE", "CHARLIE", "LOTTE"),
    "CHRISTOPHER": ("CHRIS", "KIT"),
    "CHRISTINE": ("CHRIS", "CHRISSIE", "TINA"),
    "DANIEL": ("DAN", "DANNY"),
    "DAVID": ("DAVE", "DAVY"),
    "DOMINIC": ("DOM",),
    "EDWARD": ("ED", "EDDIE", "TED", "TEDDY", "NED"),
    "ELIZABETH": ("LIZ", "LIZZIE", "BETH", "BETTY", "ELIZA"),
    "FREDERICK": ("FRED", "FREDDIE"),
    "GARY": ("GAZ",),
    "GARETH": ("GAZ",),
    "HENRY": ("HARRY", "HAL"),
    "JACQUELINE": ("JACKIE",),
    "JAMES": ("JIM", "JIMMY", "JAMIE"),
    "JENNIFER": ("JEN", "JENNY"),
    "JOHN": ("JACK", "JOHNNY", "JON"),
    "JONATHAN": ("JON", "JONNY"),
    "JOSEPH": ("JOE", "JOEY"),
    "JOSHUA": ("JOSH",),
    "KENNETH": ("KEN", "KENNY"),
    "LAWRENCE": ("LAURIE", "LARRY"),
    "LEONARD": ("LEN", "LENNY", "LEO"),
    "MARGARET": ("MAGGIE", "MAG", "PEGGY", "MEG"),
    "MATTHEW": ("MATT", "MATTY"),
    "MICHAEL": ("MIKE", "MICK", "MICKY", "MIKEY"),
    "NATHAN": ("NATE", "NAT"),
    "NICHOLAS": ("NICK", "NICKY"),
    "PATRICK": ("PAT", "PADDY"),
    "PATRICIA": ("PAT", "TRISH", "PATSY"),
    "PETER": ("PETE",),
    "PHILIP": ("PHIL",),
    "REBECCA": ("BECKY", "BECCA"),
    "RICHARD": ("RICH", "RICK", "RICKY", "DICK"),
    "ROBERT": ("BOB", "BOBBY", "ROB", "ROBBIE", "BERT"),
    "SAMUEL": ("SAM", "SAMMY"),
    "SAMANTHA": ("SAM", "SAMMY"),
    "STEPHEN": ("STEVE", "STEVIE"),
    "STEVEN": ("STEVE", "STEVIE"),
    "SUSAN": ("SUE", "SUZY"),
    "TERENCE": ("TEL", "TERRY"),
    "THOMAS": ("TOM", "TOMMY"),
    "TIMOTHY": ("TIM", "TIMMY"),
    "VICTORIA": ("VICKY", "TORI"),
    "WILLIAM": ("BILL", "BILLY", "WILL", "WILLIE", "LIAM"),
}


def _canonical_lookup() -> dict[str, str]:
    """Each nickname maps to one canonical name; an ambiguous one (SAM, CHRIS) to the first listed,
    which is the male form because IOM cohorts are mostly men."""
    lookup: dict[str, str] = {}
    for canonical, short_forms in NICKNAMES.items():
        lookup.setdefault(canonical, canonical)
        for short in short_forms:
            lookup.setdefault(short, canonical)
    return lookup


CANONICAL: dict[str, str] = _canonical_lookup()


def canonical_given_name(name: str | None) -> str | None:
    """The canonical form of a cleaned (upper-case) given name: BOB -> ROBERT, JOHN -> JOHN."""
    if not name:
        return None
    return CANONICAL.get(name, name)


def nicknames_for(name: str) -> tuple[str, ...]:
    """The short forms a record might carry instead of `name` (upper case); empty when none known."""
    return NICKNAMES.get(name.upper(), ())


def canonical_table() -> list[tuple[str, str]]:
    """(name, canonical) rows, for joining in SQL when preparing a million records at once."""
    return sorted(CANONICAL.items())


def known_given_names() -> list[str]:
    """First names known to be real (every canonical name and nickname here, and the common UK first
    names Faker ships): twins are told apart from typing slips by both names being real."""
    from faker.providers.person.en_GB import Provider

    names = (
        set(CANONICAL)
        | {n.upper() for n in Provider.first_names_male}
        | {n.upper() for n in Provider.first_names_female}
    )
    return sorted(names)
