"""The shapes the machine API reads and writes (pydantic, via django-ninja).

Agencies and categories are named by their stable codes, sensitivity by its Government Security
Classification label, so clients never depend on database ids.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict, StringConstraints

from iomshare.kit.api import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    PROBLEMS,
    FieldProblem,
    Page,
    PageParams,
    Problem,
)
from iomshare.records.models import Sensitivity

# The API kit's pieces, kept importable here: new code imports them from iomshare.kit.api.
__all__ = ["DEFAULT_PAGE_SIZE", "MAX_PAGE_SIZE", "PROBLEMS", "FieldProblem", "Page", "PageParams", "Problem"]

SENSITIVITY_BY_LABEL: dict[str, Sensitivity] = {s.label: s for s in Sensitivity}
SensitivityLabel = Literal["OFFICIAL", "OFFICIAL-SENSITIVE"]


class PersonSearchParams(PageParams):
    q: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=100)] = Field(
        description="Words of the person's name, or one of their identifiers exactly (PNC, NOMIS...)."
    )


PURPOSE_DESCRIPTION = (
    "Why you are looking: a purpose code (GET /api/v1/purposes lists those your agency's protocols "
    "cover). Other agencies' items are shared only as active protocols allow for this purpose; it is "
    "recorded on the disclosure ledger."
)
PurposeCode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]


class PurposeParams(Schema):
    purpose: PurposeCode = Field(description=PURPOSE_DESCRIPTION)


class ItemListParams(PageParams):
    purpose: PurposeCode = Field(description=PURPOSE_DESCRIPTION)


class PurposeOut(Schema):
    code: str
    name: str
    description: str


class IdentifierOut(Schema):
    scheme: str
    value: str
    agency: str = Field(description="Code of the agency that knows the person by this identifier.")

    @staticmethod
    def resolve_agency(obj) -> str:
        return obj.agency.code


class KeyWorkerOut(Schema):
    name: str
    agency: str | None

    @staticmethod
    def resolve_name(obj) -> str:
        return str(obj)

    @staticmethod
    def resolve_agency(obj) -> str | None:
        return obj.agency.code if obj.agency else None


class MembershipOut(Schema):
    tier: str
    lead_agency: str
    started_on: dt.date
    ended_on: dt.date | None
    key_workers: list[KeyWorkerOut]

    @staticmethod
    def resolve_lead_agency(obj) -> str:
        return obj.lead_agency.code

    @staticmethod
    def resolve_key_workers(obj) -> list:
        return list(obj.key_workers.all())


def _current_tier(person) -> str | None:
    current = getattr(person, "current_memberships", None)
    return current[0].tier if current else None


class PersonSummaryOut(Schema):
    id: uuid.UUID
    given_name: str
    family_name: str
    date_of_birth: dt.date | None
    identifiers: list[IdentifierOut]
    current_tier: str | None = Field(description="The IOM cohort tier today (fixed, flex, free), if any.")

    @staticmethod
    def resolve_identifiers(obj) -> list:
        return list(obj.identifiers.all())

    @staticmethod
    def resolve_current_tier(obj) -> str | None:
        return _current_tier(obj)


class PersonOut(PersonSummaryOut):
    memberships: list[MembershipOut] = Field(description="Cohort memberships, newest first.")

    @staticmethod
    def resolve_memberships(obj) -> list:
        return list(obj.memberships.all())


class PersonPage(Page):
    results: list[PersonSummaryOut]


class ItemOut(Schema):
    id: uuid.UUID
    person: uuid.UUID
    holding_agency: str = Field(description="Code of the agency that holds (and controls) the item.")
    category: str
    sensitivity: SensitivityLabel
    summary: str
    details: str
    payload: dict[str, Any]
    recorded_at: dt.datetime
    valid_from: dt.date
    valid_to: dt.date | None
    review_by: dt.date
    author: str
    nature: str = Field(description="'fact' or 'opinion': whether the item records a fact or a judgement.")
    shared_under: str = Field(
        description="What lets you see it: 'own-agency', the protocol clause relied on "
        "('protocol:<reference>:v<version>:clause:<n>'), or 'information-request:<n>' for a one-off."
    )

    @staticmethod
    def resolve_shared_under(obj) -> str:
        basis = getattr(obj, "basis", None)
        if basis is None or basis.is_own:
            return "own-agency"
        return basis.clause_id or f"information-request:{basis.request_id}"

    @staticmethod
    def resolve_person(obj) -> uuid.UUID:
        return obj.person_id

    @staticmethod
    def resolve_holding_agency(obj) -> str:
        return obj.holding_agency.code

    @staticmethod
    def resolve_category(obj) -> str:
        return obj.category.code

    @staticmethod
    def resolve_sensitivity(obj) -> str:
        return Sensitivity(obj.sensitivity).label

    @staticmethod
    def resolve_author(obj) -> str:
        return str(obj.author)


class ItemPage(Page):
    results: list[ItemOut]


class ItemIn(Schema):
    """An item to record. It is always held by the caller's own agency."""

    model_config = ConfigDict(extra="forbid")

    category: str = Field(description="Category code, like accommodation or risk.", max_length=40)
    sensitivity: SensitivityLabel = "OFFICIAL"
    summary: str = Field(max_length=300)
    details: str = Field("", max_length=20_000)
    payload: dict[str, Any] = Field(
        default_factory=dict, description="Structured content on a standard form."
    )
    valid_from: dt.date | None = Field(None, description="Defaults to today.")
    valid_to: dt.date | None = None
    review_by: dt.date | None = Field(None, description="Defaults to a year from today.")
    holding_agency: str | None = Field(
        None, description="Optional; if given it must be your own agency's code (nobody records for another)."
    )


class MeOut(Schema):
    username: str
    name: str
    agency: str
    agency_name: str
    role: str
    is_system_account: bool

    @staticmethod
    def resolve_name(obj) -> str:
        return str(obj)

    @staticmethod
    def resolve_agency(obj) -> str:
        return obj.agency.code

    @staticmethod
    def resolve_agency_name(obj) -> str:
        return obj.agency.name
