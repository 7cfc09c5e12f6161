"""Translating agencies' local codes into concepts, and keeping the mappings (invariant 7).

A local code that maps to nothing, or to two concepts, is refused with a message that says which and
what to do, so an ambiguous value is never stored as if its meaning were known.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction

from iomshare.errors import InvalidInput, NotPermitted
from iomshare.partnership.models import Agency, Role, StaffMember
from iomshare.partnership.selectors import who_to_ask
from iomshare.vocabulary.models import Concept, LocalTerm, Scheme

ROLES_THAT_MAP_TERMS = {Role.IG_LEAD, Role.ADMIN, Role.PARTNERSHIP_MANAGER}


def normalise_code(code: str) -> str:
    """Codes match whatever their case or surrounding spaces: 'da ' and 'DA' are one code."""
    return " ".join(str(code).split()).casefold()


def _listing(concepts: Iterable[Concept]) -> str:
    return "; ".join(f"{concept.preferred_term} ({concept.code})" for concept in concepts)


class CodeTranslator:
    """Translates one agency's codes into concepts, loading each scheme's mappings once.

    An import of a million rows asks it a million times, so lookups are dictionary reads.
    """

    def __init__(self, agency: Agency | None) -> None:
        self.agency = agency
        self._schemes: dict[str, Scheme] = {}
        self._standard: dict[str, dict[str, Concept]] = {}
        self._local: dict[str, dict[str, list[Concept]]] = {}

    def scheme(self, scheme_code: str) -> Scheme:
        if scheme_code not in self._schemes:
            scheme = Scheme.objects.filter(code=scheme_code).first()
            if scheme is None:
                raise InvalidInput(f"There is no vocabulary scheme with the code '{scheme_code}'.")
            concepts = list(scheme.concepts.all())
            self._standard[scheme_code] = {normalise_code(concept.code): concept for concept in concepts}
            local: dict[str, list[Concept]] = defaultdict(list)
            if self.agency is not None:
                for term in LocalTerm.objects.filter(agency=self.agency, scheme=scheme).select_related(
                    "concept"
                ):
                    concepts_for_code = local[normalise_code(term.local_code)]
                    if term.concept not in concepts_for_code:
                        concepts_for_code.append(term.concept)
            self._local[scheme_code] = dict(local)
            self._schemes[scheme_code] = scheme
        return self._schemes[scheme_code]

    def concept(self, scheme_code: str, code: str) -> Concept:
        """The one concept `code` means in `scheme_code` for this agency, or InvalidInput saying why not.

        The agency's own mapping comes first; a standard code of the scheme is accepted as itself.
        """
        scheme = self.scheme(scheme_code)
        key = normalise_code(code)
        if not key:
            raise InvalidInput(f"No code was given for {scheme.name.lower()}.")
        mapped = self._local[scheme_code].get(key)
        if mapped and len(mapped) > 1:
            raise InvalidInput(
                f"'{code}' is mapped by {self.agency} to {len(mapped)} different {scheme.name.lower()} "
                f"({_listing(mapped)}), so its meaning is unclear and it was not accepted. An "
                "information-governance lead must settle the mapping (see the vocabulary conflicts page)."
            )
        if mapped:
            return mapped[0]
        if key in self._standard[scheme_code]:
            return self._standard[scheme_code][key]
        whose = f"{self.agency} has not mapped it" if self.agency else "no agency's code was given"
        raise InvalidInput(
            f"'{code}' is not a code of {scheme.name.lower()}: it is not a standard code and {whose} to "
            f"one. The standard codes are: {', '.join(c.code for c in self._standard[scheme_code].values())}. "
            "Ask your information-governance lead, "
            f"{who_to_ask(self.agency.pk if self.agency else None, Role.IG_LEAD)}, to map the code, or send a standard one."
        )


def resolve(agency: Agency | None, scheme: str, local_code: str) -> Concept:
    """The concept `agency`'s `local_code` means in `scheme`; InvalidInput when none or two."""
    return CodeTranslator(agency).concept(scheme, local_code)


@transaction.atomic
def map_local_term(
    *, by: StaffMember, agency: Agency, scheme: str, local_code: str, concept: str, local_label: str = ""
) -> LocalTerm:
    """Record that `agency`'s `local_code` means `concept`; an IG lead or administrator does this.

    A second, different concept for a code already mapped is refused: it would make the code ambiguous.
    """
    if by.role not in ROLES_THAT_MAP_TERMS or (by.role == Role.IG_LEAD and by.agency_id != agency.pk):
        raise NotPermitted(
            "Only an administrator, a partnership manager, or the agency's own information-governance "
            "lead can map its codes."
        )
    translator = CodeTranslator(None)
    target = translator.concept(scheme, concept)
    local_code = " ".join(local_code.split())
    if not local_code or len(local_code) > 60:
        raise InvalidInput(
            "Enter the agency's code, in 60 characters or fewer.",
            field_errors={"local_code": "Enter the agency's code"},
        )
    existing = [
        term
        for term in LocalTerm.objects.filter(agency=agency, scheme__code=scheme).select_related("concept")
        if normalise_code(term.local_code) == normalise_code(local_code)
    ]
    if any(term.concept_id != target.pk for term in existing):
        raise InvalidInput(
            f"{agency} already maps '{local_code}' to {_listing(t.concept for t in existing)}; mapping it to "
            f"{target.preferred_term} too would make it ambiguous. Change the existing mapping instead."
        )
    if existing:
        return existing[0]
    return LocalTerm.objects.create(
        agency=agency, scheme=target.scheme, local_code=local_code, local_label=local_label, concept=target
    )
