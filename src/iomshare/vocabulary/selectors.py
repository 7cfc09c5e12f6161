"""Reads of the vocabulary: schemes, concepts, and the conflicts between agencies' meanings."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from iomshare.partnership.models import Agency
from iomshare.vocabulary.models import Concept, LocalTerm, Scheme
from iomshare.vocabulary.services import normalise_code


def schemes() -> QuerySet[Scheme]:
    return Scheme.objects.annotate(concept_count=Count("concepts")).order_by("name")


def scheme(code: str) -> Scheme | None:
    return Scheme.objects.filter(code=code).prefetch_related("concepts__synonyms").first()


def concepts_in(scheme_code: str) -> list[Concept]:
    """The concepts of a scheme in their set order (the order forms offer them)."""
    return list(Concept.objects.filter(scheme__code=scheme_code).order_by("position", "preferred_term"))


def concept(scheme_code: str, code: str) -> Concept | None:
    """One concept with its synonyms and every agency's local terms for it."""
    return (
        Concept.objects.filter(scheme__code=scheme_code, code=code)
        .select_related("scheme")
        .prefetch_related("synonyms", Prefetch("local_terms", LocalTerm.objects.select_related("agency")))
        .first()
    )


def search_concepts(text: str) -> QuerySet[Concept]:
    """Concepts whose term, code, synonym or definition contains `text`."""
    return (
        Concept.objects.filter(
            Q(preferred_term__icontains=text)
            | Q(code__icontains=text)
            | Q(synonyms__term__icontains=text)
            | Q(definition__icontains=text)
            | Q(local_terms__local_code__iexact=text)
        )
        .select_related("scheme")
        .distinct()
        .order_by("scheme__name", "position")
    )


@dataclass(frozen=True)
class AmbiguousMapping:
    """One agency's code mapped to two or more concepts: values with it are refused until settled."""

    agency: Agency
    scheme: Scheme
    local_code: str
    concepts: list[Concept]


@dataclass(frozen=True)
class Meaning:
    agency: Agency
    local_label: str
    concepts: list[Concept]


@dataclass(frozen=True)
class SharedWordClash:
    """One code used by two or more agencies for different concepts ("DA": perpetrator or victim)."""

    scheme: Scheme
    local_code: str
    meanings: list[Meaning]


@dataclass(frozen=True)
class Conflicts:
    ambiguous: list[AmbiguousMapping]
    clashes: list[SharedWordClash]

    @property
    def count(self) -> int:
        return len(self.ambiguous) + len(self.clashes)


def conflicts() -> Conflicts:
    """Every ambiguous mapping and every word two agencies use for different concepts."""
    grouped: dict[tuple[int, str], dict[int, list[LocalTerm]]] = defaultdict(lambda: defaultdict(list))
    for term in LocalTerm.objects.select_related("agency", "scheme", "concept").order_by(
        "scheme__name", "local_code", "agency__name", "concept__position"
    ):
        grouped[(term.scheme_id, normalise_code(term.local_code))][term.agency_id].append(term)
    ambiguous: list[AmbiguousMapping] = []
    clashes: list[SharedWordClash] = []
    for by_agency in grouped.values():
        for terms in by_agency.values():
            if len({term.concept_id for term in terms}) > 1:
                ambiguous.append(
                    AmbiguousMapping(
                        terms[0].agency, terms[0].scheme, terms[0].local_code, [t.concept for t in terms]
                    )
                )
        meanings = {frozenset(term.concept_id for term in terms): terms for terms in by_agency.values()}
        if len(by_agency) > 1 and len(meanings) > 1:
            first = next(iter(by_agency.values()))[0]
            clashes.append(
                SharedWordClash(
                    scheme=first.scheme,
                    local_code=first.local_code,
                    meanings=[
                        Meaning(terms[0].agency, terms[0].local_label, [t.concept for t in terms])
                        for terms in sorted(by_agency.values(), key=lambda ts: ts[0].agency.name)
                    ],
                )
            )
    return Conflicts(ambiguous=ambiguous, clashes=clashes)
