"""The machine API's vocabulary endpoints: what each code means, and how an agency's codes translate."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from iomshare.errors import NotFound
from iomshare.kit.api import PROBLEMS, caller
from iomshare.vocabulary import selectors, services

router = Router(tags=["vocabulary"])


class ConceptOut(Schema):
    scheme: str
    code: str
    preferred_term: str
    definition: str
    scope_note: str
    examples: list[str]
    synonyms: list[str]

    @staticmethod
    def resolve_scheme(obj) -> str:
        return obj.scheme.code

    @staticmethod
    def resolve_synonyms(obj) -> list[str]:
        return [synonym.term for synonym in obj.synonyms.all()]


class LocalTermOut(Schema):
    agency: str
    local_code: str
    local_label: str

    @staticmethod
    def resolve_agency(obj) -> str:
        return obj.agency.code


class ConceptDetailOut(ConceptOut):
    local_terms: list[LocalTermOut] = Field(description="Each agency's own codes for this concept.")

    @staticmethod
    def resolve_local_terms(obj) -> list:
        return list(obj.local_terms.all())


class SchemeOut(Schema):
    code: str
    name: str
    description: str
    concepts: list[ConceptOut]

    @staticmethod
    def resolve_concepts(obj) -> list:
        return list(obj.concepts.all())


class TranslateParams(Schema):
    scheme: str = Field(description="The vocabulary scheme, like contact_outcome.")
    code: str = Field(description="Your agency's own code (or a standard code).", max_length=60)


@router.get("/vocabulary", response={200: list[SchemeOut], **PROBLEMS}, url_name="vocabulary")
def list_schemes(request: HttpRequest):
    """Every scheme with its concepts and their definitions."""
    return list(selectors.schemes().prefetch_related("concepts__synonyms", "concepts__scheme"))


@router.get("/vocabulary/translate", response={200: ConceptOut, **PROBLEMS}, url_name="vocabulary-translate")
def translate(request: HttpRequest, params: Query[TranslateParams]):
    """The concept your agency's code means; 422 if it maps to nothing, or to two concepts."""
    return services.resolve(caller(request).agency, params.scheme, params.code)


@router.get("/vocabulary/{scheme}", response={200: SchemeOut, **PROBLEMS}, url_name="vocabulary-scheme")
def get_scheme(request: HttpRequest, scheme: str):
    found = selectors.scheme(scheme)
    if found is None:
        raise NotFound(f"There is no vocabulary scheme with the code {scheme!r}.")
    return found


@router.get(
    "/vocabulary/{scheme}/{code}", response={200: ConceptDetailOut, **PROBLEMS}, url_name="vocabulary-concept"
)
def get_concept(request: HttpRequest, scheme: str, code: str):
    found = selectors.concept(scheme, code)
    if found is None:
        raise NotFound(f"There is no concept {code!r} in the vocabulary scheme {scheme!r}.")
    return found
