"""Exports: a person's picture, and bulk extracts, as standard JSON and formula-safe CSV.

Items come only through `records.selectors` (the one door), so an export shows exactly what the
viewer may see, and the selector puts each person's export on the ledger before a byte of it leaves
(invariants 1, 2 and 9).
The JSON shapes are published as JSON Schemas in docs/schemas/.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from iomshare.forms.models import FormDefinition
from iomshare.kit.csv_safety import safe_row
from iomshare.partnership.models import StaffMember
from iomshare.people.models import Person
from iomshare.records import selectors
from iomshare.records.models import InformationItem
from iomshare.vocabulary.models import Concept

PICTURE_FORMAT = "iomshare-person-picture"
EXTRACT_FORMAT = "iomshare-extract"
FORMAT_VERSION = 1
CSV_COLUMNS = [
    "person_id",
    "given_name",
    "family_name",
    "date_of_birth",
    "item_id",
    "holding_agency",
    "category",
    "sensitivity",
    "summary",
    "details",
    "recorded_at",
    "valid_from",
    "valid_to",
    "review_by",
    "form",
    "form_version",
    "answers",
]


class Terms:
    """Preferred terms of the coded answers in items, looked up once per form version and scheme."""

    def __init__(self) -> None:
        self._forms: dict[tuple[str, int | None], dict[str, str]] = {}
        self._schemes: dict[str, dict[str, str]] = {}

    def _coded_fields(self, code: str, version: int | None) -> dict[str, str]:
        if (code, version) not in self._forms:
            form = (
                FormDefinition.objects.filter(code=code, version=version).first()
                if version is not None
                else None
            )
            self._forms[(code, version)] = (
                {field["name"]: field["scheme"] for field in form.fields if "scheme" in field} if form else {}
            )
        return self._forms[(code, version)]

    def _terms(self, scheme: str) -> dict[str, str]:
        if scheme not in self._schemes:
            self._schemes[scheme] = dict(
                Concept.objects.filter(scheme__code=scheme).values_list("code", "preferred_term")
            )
        return self._schemes[scheme]

    def of(self, payload: dict[str, Any]) -> dict[str, Any]:
        """{field: {"scheme", "codes", "terms"}} for each coded answer of an item's form."""
        if not payload.get("form"):
            return {}
        coded = self._coded_fields(payload["form"], payload.get("version"))
        out: dict[str, Any] = {}
        for name, answer in (payload.get("answers") or {}).items():
            if name not in coded:
                continue
            codes = answer if isinstance(answer, list) else [answer]
            terms = self._terms(coded[name])
            out[name] = {
                "scheme": coded[name],
                "codes": codes,
                "terms": [terms.get(code, code) for code in codes],
            }
        return out


def person_document(person: Person) -> dict[str, Any]:
    """Who the person is, as the partnership knows them (no item content)."""
    return {
        "id": str(person.pk),
        "given_name": person.given_name,
        "family_name": person.family_name,
        "date_of_birth": person.date_of_birth.isoformat() if person.date_of_birth else None,
    }


def _person_in_full(person: Person) -> dict[str, Any]:
    document = person_document(person)
    document["identifiers"] = [
        {"scheme": identifier.scheme, "value": identifier.value, "agency": identifier.agency.code}
        for identifier in person.identifiers.select_related("agency").order_by("scheme", "value")
    ]
    document["cohort"] = [
        {
            "tier": membership.tier,
            "lead_agency": membership.lead_agency.code,
            "started_on": membership.started_on.isoformat(),
            "ended_on": membership.ended_on.isoformat() if membership.ended_on else None,
        }
        for membership in person.memberships.select_related("lead_agency").order_by("started_on")
    ]
    return document


def item_document(item: InformationItem, terms: Terms) -> dict[str, Any]:
    payload = item.payload or {}
    return {
        "id": str(item.pk),
        "holding_agency": item.holding_agency.code,
        "category": item.category.code,
        "sensitivity": item.get_sensitivity_display(),
        "summary": item.summary,
        "details": item.details,
        "recorded_at": item.recorded_at.isoformat(),
        "valid_from": item.valid_from.isoformat(),
        "valid_to": item.valid_to.isoformat() if item.valid_to else None,
        "review_by": item.review_by.isoformat(),
        "form": (
            {
                "code": payload["form"],
                "version": payload.get("version"),
                "answers": payload.get("answers") or {},
                "coded_answers": terms.of(payload),
            }
            if payload.get("form")
            else None
        ),
    }


def _exporter(viewer: StaffMember) -> dict[str, str]:
    return {
        "username": viewer.get_username(),
        "agency": viewer.agency.code if viewer.agency is not None else "",
    }


def _picture_items(viewer: StaffMember, person: Person, purpose: str) -> list[InformationItem]:
    """The person's items `viewer` may see, newest first; the selector records the export first."""
    return selectors.picture_export_for(viewer, person, purpose=purpose or None)


def picture_document(viewer: StaffMember, person: Person, *, purpose: str = "") -> dict[str, Any]:
    """A person's picture as `viewer` may see it, in the standard JSON (person-picture.schema.json)."""
    items = _picture_items(viewer, person, purpose)
    terms = Terms()
    return {
        "format": PICTURE_FORMAT,
        "format_version": FORMAT_VERSION,
        "exported_at": timezone.now().isoformat(),
        "exported_by": _exporter(viewer),
        "purpose": purpose,
        "person": _person_in_full(person),
        "items": [item_document(item, terms) for item in items],
    }


def _csv_line(values: Iterable[Any]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(safe_row(values))
    return buffer.getvalue()


def _csv_values(item: InformationItem, person: Person) -> list[Any]:
    payload = item.payload or {}
    return [
        str(person.pk),
        person.given_name,
        person.family_name,
        person.date_of_birth.isoformat() if person.date_of_birth else "",
        str(item.pk),
        item.holding_agency.code,
        item.category.code,
        item.get_sensitivity_display(),
        item.summary,
        item.details,
        item.recorded_at.isoformat(),
        item.valid_from.isoformat(),
        item.valid_to.isoformat() if item.valid_to else "",
        item.review_by.isoformat(),
        payload.get("form", ""),
        payload.get("version", ""),
        json.dumps(payload.get("answers"), ensure_ascii=False, sort_keys=True) if payload.get("form") else "",
    ]


def picture_csv(viewer: StaffMember, person: Person, *, purpose: str = "") -> str:
    """A person's picture as CSV, one item a row; no cell can run as a spreadsheet formula."""
    items = _picture_items(viewer, person, purpose)
    return _csv_line(CSV_COLUMNS) + "".join(_csv_line(_csv_values(item, person)) for item in items)


def _by_person(items: Iterator[InformationItem]) -> Iterator[tuple[Person, list[InformationItem]]]:
    person, group = None, []
    for item in items:
        if person is not None and item.person_id != person.pk:
            yield person, group
            group = []
        person = item.person
        group.append(item)
    if person is not None:
        yield person, group


def extract_opening(viewer: StaffMember, file_format: str, *, purpose: str = "") -> str:
    """What an extract starts with: the JSON head (who, when, why) or the CSV header row."""
    if file_format == "csv":
        return _csv_line(CSV_COLUMNS)
    head = {
        "format": EXTRACT_FORMAT,
        "format_version": FORMAT_VERSION,
        "exported_at": timezone.now().isoformat(),
        "exported_by": _exporter(viewer),
        "purpose": purpose,
    }
    return json.dumps(head, cls=DjangoJSONEncoder)[:-1] + ', "people": ['


def extract_closing(file_format: str) -> str:
    return "" if file_format == "csv" else "\n]}\n"


def extract_people(
    viewer: StaffMember, file_format: str, *, person_ids=None, purpose: str = "", first: bool = True
) -> Iterator[tuple[str, int]]:
    """Each person's part of an extract with how many items it holds, recorded on the ledger (by the
    selector) before it is yielded; `first` says no person has been written before (no JSON comma)."""
    terms = Terms()
    for person, group in _by_person(
        selectors.items_for_extract(viewer, person_ids=person_ids, purpose=purpose)
    ):
        if file_format == "csv":
            yield "".join(_csv_line(_csv_values(item, person)) for item in group), len(group)
            continue
        entry = {**person_document(person), "items": [item_document(item, terms) for item in group]}
        text = json.dumps(entry, cls=DjangoJSONEncoder, ensure_ascii=False)
        yield ("" if first else ",") + "\n" + text, len(group)
        first = False


def extract_json(viewer: StaffMember, *, person_ids=None, purpose: str = "") -> Iterator[str]:
    """A bulk extract in the standard JSON (extract.schema.json), piece by piece."""
    yield extract_opening(viewer, "json", purpose=purpose)
    for text, _count in extract_people(viewer, "json", person_ids=person_ids, purpose=purpose):
        yield text
    yield extract_closing("json")


def extract_csv(viewer: StaffMember, *, person_ids=None, purpose: str = "") -> Iterator[str]:
    """A bulk extract as formula-safe CSV, one item a row, piece by piece."""
    yield extract_opening(viewer, "csv", purpose=purpose)
    for text, _count in extract_people(viewer, "csv", person_ids=person_ids, purpose=purpose):
        yield text
