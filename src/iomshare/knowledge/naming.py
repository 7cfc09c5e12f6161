"""Does a text name a person the partnership knows, or carry an identifier? Practice notes must not.

Efficient by design: the text is cut into words, and only its one- to three-word runs are looked up,
in the indexed family-name column and the indexed (scheme, value) identifier column; nobody's name
is scanned. A family name found counts only if the person's given name stands next to it
("Dan Reeve", "Reeve, Dan"), so a lesson about "reeve" the word is not refused for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from iomshare.people.identifiers import normalise_nhs_number
from iomshare.people.models import AgencyIdentifier, IdentifierScheme, Person

WORD = re.compile(r"[^\W\d_][^\W\d_'’-]*(?:['’-][^\W\d_]+)*")
CHUNK = re.compile(r"[\w/-]+")
LONGEST_NAME_WORDS = 3  # "Van der Berg": family names looked up are runs of up to this many words
SHAPES = [
    (re.compile(r"\b(?:\d{2}|\d{4})/\d{1,7}[A-Za-z]\b"), "looks like a PNC ID"),
    (re.compile(r"\b\d{1,6}/\d{2}[A-Za-z]\b"), "looks like a CRO number"),
    (re.compile(r"\b[A-Za-z]\d{4}[A-Za-z]{2}\b"), "looks like a NOMIS prison number"),
]
NHS_SHAPE = re.compile(r"(?<!\d)\d{3}[ -]?\d{3}[ -]?\d{4}(?!\d)")


@dataclass(frozen=True)
class Finding:
    words: str
    why: str

    def __str__(self) -> str:
        return f"“{self.words}” {self.why}"


def _variants(run: str) -> set[str]:
    # Names are stored as agencies typed them; these spellings hit the index without a scan.
    return {run, run.title(), run.upper(), run.lower(), run[:1].upper() + run[1:]}


def _names_in(text: str) -> list[Finding]:
    words = WORD.findall(text)
    runs = {
        " ".join(words[start : start + size])
        for size in range(1, LONGEST_NAME_WORDS + 1)
        for start in range(len(words) - size + 1)
    }
    if not runs:
        return []
    lookups = set().union(*(_variants(run) for run in runs))
    sequence = " " + " ".join(word.lower() for word in words) + " "
    found: dict[str, Finding] = {}
    for given, family in Person.objects.filter(family_name__in=lookups).values_list(
        "given_name", "family_name"
    ):
        given_words = " ".join(WORD.findall(given)).lower()
        family_words = " ".join(WORD.findall(family)).lower()
        if not given_words:
            continue
        for written in (f"{given_words} {family_words}", f"{family_words} {given_words}"):
            if f" {written} " in sequence:
                found[written] = Finding(
                    _as_written(text, written), "is the name of a person the partnership knows"
                )
    return list(found.values())


def _as_written(text: str, lowered: str) -> str:
    """The name as the writer typed it (punctuation such as "Reeve, Dan" kept), for the message."""
    pattern = r"\W+".join(re.escape(part) for part in lowered.split())
    match = re.search(pattern, text, flags=re.IGNORECASE)
    return match.group(0) if match else lowered


def _identifiers_in(text: str) -> list[Finding]:
    found = [Finding(match.group(0), why) for shape, why in SHAPES for match in shape.finditer(text)]
    for match in NHS_SHAPE.finditer(text):
        try:
            normalise_nhs_number(match.group(0))
        except ValidationError:
            continue
        found.append(Finding(match.group(0), "looks like an NHS number"))
    chunks = {chunk.strip("-/") for chunk in CHUNK.findall(text)} - {""}
    values = chunks | {chunk.upper() for chunk in chunks}
    known = set(
        AgencyIdentifier.objects.filter(scheme__in=IdentifierScheme.values, value__in=values).values_list(
            "value", flat=True
        )
    )
    already = {finding.words.upper() for finding in found}
    for chunk in sorted(chunks):
        if (chunk in known or chunk.upper() in known) and chunk.upper() not in already:
            found.append(Finding(chunk, "is an identifier an agency holds for a person"))
    return found


def personal_details_in(text: str) -> list[Finding]:
    """Every name of a known person and every identifier in `text`, with why each is refused."""
    return _names_in(text) + _identifiers_in(text)
