"""The YAML form of a protocol: reading it (validated whole, every problem with line and field) and
writing it. docs/protocols.md documents the schema field by field.

Reading never writes: `read_protocol` returns a `ProtocolSpec` or raises `ProtocolFileInvalid` with
the full list of problems, and services.draft_protocol stores a spec in one transaction.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from django.utils import timezone

from iomshare.errors import InvalidInput
from iomshare.partnership.models import Agency, AssuranceLevel, Course, Role
from iomshare.protocols.models import AGREEMENT_FIELDS, LegalGateway, Protocol, Purpose
from iomshare.records.models import Category, Sensitivity

FORMAT_VERSION = 1
SENSITIVITY_NAMES = {label: value for value, label in Sensitivity.choices}
ASSURANCE_NAMES = {level.name.lower(): int(level) for level in AssuranceLevel if level != AssuranceLevel.NONE}
RECIPIENT_ROLES = [Role.PRACTITIONER, Role.IG_LEAD, Role.PARTNERSHIP_MANAGER, Role.SYSTEM]
REQUIRED_AGREEMENT = [
    "lawful_basis",
    "transparency",
    "individual_rights",
    "security",
    "retention_and_deletion",
    "breach_procedure",
    "termination",
]
TOP_FIELDS = [
    "iomshare_protocol",
    "reference",
    "version",
    "status",
    "title",
    "summary",
    "owner",
    "parties",
    "purposes",
    "legal_gateways",
    "review_on",
    "ends_on",
    "retention_days",
    "may_disclose_existence",
    "agreement",
    "clauses",
]
CLAUSE_FIELDS = [
    "shared_by",
    "categories",
    "max_sensitivity",
    "recipients",
    "recipient_roles",
    "conditions",
    "may_disclose_existence",
    "redact",
    "explanation",
]
CONDITION_FIELDS = ["training", "volunteers_may_receive", "minimum_assurance", "consent_needed"]
_DATE_LABELS = {"review_on": "review date", "ends_on": "end date"}
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_FIELD = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class FileProblem:
    """One problem in a protocol file: where (line and field path) and what to do about it."""

    line: int | None
    field: str
    message: str


class ProtocolFileInvalid(InvalidInput):
    """The file was not imported: nothing was changed. `problems` lists every problem found."""

    def __init__(self, problems: list[FileProblem]) -> None:
        super().__init__(
            f"The protocol was not imported: {len(problems)} problem{'s' if len(problems) != 1 else ''} "
            "to correct. Nothing has been changed.",
            field_errors={p.field or "file": p.message for p in problems},
        )
        self.problems = problems


@dataclass
class ClauseSpec:
    shared_by: str
    categories: list[str]
    max_sensitivity: int
    recipients: list[str]
    recipient_roles: list[str]
    required_courses: list[str]
    volunteers_may_receive: bool
    minimum_assurance: int
    consent_needed: bool
    may_disclose_existence: bool
    redacted_fields: list[str]
    explanation: str = ""


@dataclass
class ProtocolSpec:
    """A validated protocol, in codes, ready for services.draft_protocol."""

    reference: str
    title: str
    summary: str
    owner: str
    parties: list[str]
    purposes: list[str]
    legal_gateways: list[str]
    review_on: dt.date
    ends_on: dt.date | None
    retention_days: int
    may_disclose_existence: bool
    agreement: dict[str, str]
    clauses: list[ClauseSpec] = field(default_factory=list)


# --- reading ---------------------------------------------------------------------------------------


def parse(text: str) -> tuple[Any, dict[str, int]]:
    """The YAML document and the line of every field path, or ProtocolFileInvalid for bad YAML."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise ProtocolFileInvalid(
                [FileProblem(None, "", "The file is empty: it must describe a protocol")]
            )
        lines: dict[str, int] = {}
        duplicates: list[FileProblem] = []
        _walk(node, "", lines, duplicates)
        if duplicates:
            raise ProtocolFileInvalid(duplicates)
        data = loader.construct_document(node)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or str(error)
        raise ProtocolFileInvalid(
            [FileProblem(mark.line + 1 if mark else None, "", f"This is not valid YAML: {problem}")]
        ) from error
    finally:
        loader.dispose()
    return data, lines


def _walk(node: yaml.Node, path: str, lines: dict[str, int], duplicates: list[FileProblem]) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            child = f"{path}.{key}" if path else key
            if key in seen:
                duplicates.append(
                    FileProblem(key_node.start_mark.line + 1, child, f"'{key}' is given twice: keep one")
                )
            seen.add(key)
            lines.setdefault(child, key_node.start_mark.line + 1)
            _walk(value_node, child, lines, duplicates)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value, start=1):
            _walk(item, f"{path}[{index}]", lines, duplicates)


def read_protocol(text: str, *, today: dt.date | None = None) -> ProtocolSpec:
    """Parse and validate a protocol file whole; raise ProtocolFileInvalid listing every problem."""
    data, lines = parse(text)
    return validate(data, lines, today=today)


class _Checker:
    """Collects problems against field paths, looking up each path's line in the file."""

    def __init__(self, lines: dict[str, int]):
        self.lines = lines
        self.problems: list[FileProblem] = []

    def add(self, path: str, message: str) -> None:
        # The line of the nearest enclosing field that is in the file (a missing field has none).
        probe = path
        while probe and probe not in self.lines:
            shorter = re.sub(r"(\.[^.\[]+|\[\d+\])$", "", probe)
            probe = "" if shorter == probe else shorter
        self.problems.append(FileProblem(self.lines.get(probe), path, message))

    def unknown_keys(self, data: dict, allowed: list[str], path: str) -> None:
        for key in data:
            if key not in allowed:
                where = f"{path}.{key}" if path else str(key)
                close = difflib.get_close_matches(str(key), allowed, n=1)
                hint = (
                    f": did you mean '{close[0]}'?"
                    if close
                    else f": the fields here are {', '.join(allowed)}"
                )
                self.add(where, f"'{key}' is not a field of a protocol{hint}")

    def text(self, data: dict, key: str, path: str, *, required: bool = True, max_length: int = 0) -> str:
        value = data.get(key)
        where = f"{path}.{key}" if path else key
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.add(where, f"Enter the {key.replace('_', ' ')}")
            return ""
        if not isinstance(value, str):
            self.add(where, f"The {key.replace('_', ' ')} must be text")
            return ""
        if max_length and len(value) > max_length:
            self.add(where, f"The {key.replace('_', ' ')} must be {max_length} characters or fewer")
        return value.strip()

    def boolean(self, data: dict, key: str, path: str, default: bool) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            self.add(f"{path}.{key}" if path else key, f"'{key}' must be true or false")
            return default
        return value

    def codes(
        self, data: dict, key: str, path: str, known: list[str], what: str, *, minimum: int = 1
    ) -> list[str]:
        value = data.get(key, [])
        where = f"{path}.{key}" if path else key
        if value is None:
            value = []
        if not isinstance(value, list):
            self.add(where, f"'{key}' must be a list of {what} codes")
            return []
        if len(value) < minimum:
            plural = "agencies" if what == "agency" else f"{what}s"
            self.add(where, f"List at least {minimum} {what if minimum == 1 else plural}")
        result = []
        for index, item in enumerate(value, start=1):
            item_path = f"{where}[{index}]"
            if not isinstance(item, str):
                self.add(item_path, f"Each {what} must be a code (text)")
            elif item not in known:
                close = difflib.get_close_matches(item, known, n=1)
                hint = f": did you mean '{close[0]}'?" if close else f": use one of {', '.join(known)}"
                self.add(item_path, f"'{item}' is not a known {what}{hint}")
            elif item in result:
                self.add(item_path, f"'{item}' is listed twice")
            else:
                result.append(item)
        return result

    def date(self, data: dict, key: str, *, required: bool) -> dt.date | None:
        value = data.get(key)
        if value is None:
            if required:
                self.add(key, f"Enter the {_DATE_LABELS.get(key, key)} as a date like 2026-03-31")
            return None
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = dt.date.fromisoformat(value)
        if not isinstance(value, dt.date):
            self.add(key, f"The {_DATE_LABELS.get(key, key)} must be a date that exists, like 2026-03-31")
            return None
        return value


def validate(data: Any, lines: dict[str, int] | None = None, *, today: dt.date | None = None) -> ProtocolSpec:  # noqa: C901 (one check per field of a protocol file, each reported)
    """Check a parsed protocol document against the schema and the partnership's reference lists."""
    today = today or timezone.localdate()
    check = _Checker(lines or {})
    if not isinstance(data, dict):
        raise ProtocolFileInvalid([FileProblem(1, "", "The file must be a YAML mapping of protocol fields")])
    agencies = list(Agency.objects.values_list("code", flat=True))
    categories = list(Category.objects.values_list("code", flat=True))
    purposes = list(Purpose.objects.values_list("code", flat=True))
    gateways = list(LegalGateway.objects.values_list("code", flat=True))

    check.unknown_keys(data, TOP_FIELDS, "")
    form = data.get("iomshare_protocol", FORMAT_VERSION)
    if form != FORMAT_VERSION:
        check.add(
            "iomshare_protocol", f"This file is format {form!r}; this iomshare reads format {FORMAT_VERSION}"
        )
    reference = check.text(data, "reference", "", max_length=60)
    if reference and not _SLUG.match(reference):
        check.add("reference", "The reference must be lower-case letters, digits and hyphens, like isp-core")
    title = check.text(data, "title", "", max_length=200)
    summary = check.text(data, "summary", "")
    owner = check.text(data, "owner", "")
    if owner and owner not in agencies:
        check.add(
            "owner", f"'{owner}' is not an agency of this partnership: use one of {', '.join(agencies)}"
        )
    parties = check.codes(data, "parties", "", agencies, "agency", minimum=2)
    if owner and owner in agencies and owner not in parties:
        check.add("owner", f"The owner '{owner}' must also be listed under parties")
    chosen_purposes = check.codes(data, "purposes", "", purposes, "purpose")
    chosen_gateways = check.codes(data, "legal_gateways", "", gateways, "legal gateway")
    review_on = check.date(data, "review_on", required=True)
    if review_on is not None and review_on <= today:
        check.add("review_on", "The review date must be in the future")
    ends_on = check.date(data, "ends_on", required=False)
    if ends_on is not None and ends_on <= today:
        check.add("ends_on", "The end date must be in the future (or leave it out)")
    if ends_on is not None and review_on is not None and review_on > ends_on:
        check.add("review_on", "The review date must be on or before the end date")
    retention = data.get("retention_days")
    if isinstance(retention, bool) or not isinstance(retention, int) or not 1 <= retention <= 3650:
        check.add("retention_days", "Enter how many days a recipient may keep a shared copy, from 1 to 3650")
        retention = 0
    disclose = check.boolean(data, "may_disclose_existence", "", True)

    agreement: dict[str, str] = {}
    raw_agreement = data.get("agreement")
    if not isinstance(raw_agreement, dict):
        check.add("agreement", "Describe the agreement: " + ", ".join(REQUIRED_AGREEMENT) + " are needed")
    else:
        check.unknown_keys(raw_agreement, AGREEMENT_FIELDS, "agreement")
        for name in AGREEMENT_FIELDS:
            agreement[name] = check.text(
                raw_agreement,
                name,
                "agreement",
                required=name in REQUIRED_AGREEMENT,
                max_length=200 if name == "dpia_reference" else 0,
            )

    clauses: list[ClauseSpec] = []
    raw_clauses = data.get("clauses")
    if not isinstance(raw_clauses, list) or not raw_clauses:
        check.add("clauses", "List at least one clause: what a party shares, with whom")
    else:
        for number, raw in enumerate(raw_clauses, start=1):
            clause = _clause(check, raw, f"clauses[{number}]", parties, categories, disclose)
            if clause is not None:
                clauses.append(clause)

    if check.problems:
        raise ProtocolFileInvalid(check.problems)
    assert review_on is not None  # required: check.date named it a problem when it was missing
    return ProtocolSpec(
        reference=reference,
        title=title,
        summary=summary,
        owner=owner,
        parties=parties,
        purposes=chosen_purposes,
        legal_gateways=chosen_gateways,
        review_on=review_on,
        ends_on=ends_on,
        retention_days=retention,
        may_disclose_existence=disclose,
        agreement=agreement,
        clauses=clauses,
    )


def _clause(  # noqa: C901 (one check per field of a clause, each reported)
    check: _Checker, raw: Any, path: str, parties: list[str], categories: list[str], disclose: bool
) -> ClauseSpec | None:
    if not isinstance(raw, dict):
        check.add(path, "Each clause must be a mapping with shared_by, categories and recipient_roles")
        return None
    check.unknown_keys(raw, CLAUSE_FIELDS, path)
    shared_by = check.text(raw, "shared_by", path)
    if shared_by and shared_by not in parties:
        known = ", ".join(parties) if parties else "list the parties first"
        check.add(f"{path}.shared_by", f"'{shared_by}' must be one of the parties ({known})")
    chosen = check.codes(raw, "categories", path, categories, "category")
    sensitivity_name = raw.get("max_sensitivity", "OFFICIAL")
    if sensitivity_name not in SENSITIVITY_NAMES:
        check.add(f"{path}.max_sensitivity", "The maximum sensitivity must be OFFICIAL or OFFICIAL-SENSITIVE")
    others = [p for p in parties if p != shared_by]
    recipients = check.codes(raw, "recipients", path, parties, "party", minimum=0)
    if shared_by in recipients:
        check.add(f"{path}.recipients", f"'{shared_by}' shares under this clause, so cannot also receive")
    if not recipients and not others:
        check.add(f"{path}.recipients", "There is no other party to receive under this clause")
    roles = check.codes(raw, "recipient_roles", path, [*RECIPIENT_ROLES, Role.VOLUNTEER], "role", minimum=0)
    conditions = raw.get("conditions", {}) or {}
    if not isinstance(conditions, dict):
        check.add(f"{path}.conditions", "'conditions' must be a mapping of " + ", ".join(CONDITION_FIELDS))
        conditions = {}
    where = f"{path}.conditions"
    check.unknown_keys(conditions, CONDITION_FIELDS, where)
    courses = check.codes(conditions, "training", where, list(Course.values), "training course", minimum=0)
    volunteers = check.boolean(conditions, "volunteers_may_receive", where, False)
    if Role.VOLUNTEER in roles:
        check.add(
            f"{path}.recipient_roles",
            "Volunteers are not a recipient role: set conditions.volunteers_may_receive: true instead",
        )
    if not roles and not volunteers:
        check.add(f"{path}.recipient_roles", "List the roles that receive (for example practitioner)")
    if volunteers and not courses:
        check.add(
            f"{where}.training",
            "A clause that lets volunteers receive must require training in date (for example "
            "volunteer_confidentiality)",
        )
    assurance_name = conditions.get("minimum_assurance", "self_assessed")
    if assurance_name not in ASSURANCE_NAMES:
        check.add(
            f"{where}.minimum_assurance",
            "The minimum assurance must be one of " + ", ".join(ASSURANCE_NAMES) + " (never none: "
            "a recipient agency must hold current assurance)",
        )
    consent = check.boolean(conditions, "consent_needed", where, False)
    redact = raw.get("redact", []) or []
    redacted: list[str] = []
    if not isinstance(redact, list):
        check.add(f"{path}.redact", "'redact' must be a list of category.field names")
    else:
        for index, name in enumerate(redact, start=1):
            category, _, field_name = str(name).partition(".")
            if category not in chosen or not _FIELD.match(field_name):
                check.add(
                    f"{path}.redact[{index}]",
                    f"'{name}' must name a category of this clause and a field, like {chosen[0] if chosen else 'accommodation'}.address",
                )
            else:
                redacted.append(str(name))
    explanation = check.text(raw, "explanation", path, required=False)
    return ClauseSpec(
        shared_by=shared_by,
        categories=chosen,
        max_sensitivity=SENSITIVITY_NAMES.get(sensitivity_name, Sensitivity.OFFICIAL),
        recipients=recipients,
        recipient_roles=[r for r in roles if r != Role.VOLUNTEER],
        required_courses=courses,
        volunteers_may_receive=volunteers,
        minimum_assurance=ASSURANCE_NAMES.get(assurance_name, AssuranceLevel.SELF_ASSESSED),
        consent_needed=consent,
        may_disclose_existence=check.boolean(raw, "may_disclose_existence", path, disclose),
        redacted_fields=redacted,
        explanation=explanation,
    )


# --- writing ---------------------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """Long and multi-line text as block scalars, so the file reads like a document."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    if len(value) > 80:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=">")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


def _list(dumper: yaml.SafeDumper, value: list) -> yaml.Node:
    # Short lists of codes read best on one line: [police, probation].
    short = all(isinstance(v, str) and len(v) < 40 for v in value) and sum(len(v) + 2 for v in value) < 70
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=bool(value) and short)


_Dumper.add_representer(str, _text)
_Dumper.add_representer(list, _list)


def protocol_data(protocol: Protocol) -> dict[str, Any]:
    """The YAML document of one protocol version, as plain data."""
    assurance_names = {value: name for name, value in ASSURANCE_NAMES.items()}
    sensitivity_names = {value: name for name, value in SENSITIVITY_NAMES.items()}
    data: dict[str, Any] = {
        "iomshare_protocol": FORMAT_VERSION,
        "reference": protocol.reference,
        "version": protocol.version,
        "status": protocol.status,
        "title": protocol.title,
        "summary": protocol.summary,
        "owner": protocol.owner_agency.code,
        "parties": [agency.code for agency in protocol.parties.all().order_by("code")],
        "purposes": [p.code for p in protocol.purposes.all().order_by("code")],
        "legal_gateways": [g.code for g in protocol.legal_gateways.all().order_by("code")],
        "review_on": protocol.review_on,
    }
    if protocol.ends_on:
        data["ends_on"] = protocol.ends_on
    data["retention_days"] = protocol.retention_days
    data["may_disclose_existence"] = protocol.may_disclose_existence
    data["agreement"] = {
        name: getattr(protocol, name) for name in AGREEMENT_FIELDS if getattr(protocol, name)
    }
    clauses = []
    for clause in protocol.clauses.all().order_by("number"):
        item: dict[str, Any] = {
            "shared_by": clause.sharing_agency.code,
            "categories": sorted(c.code for c in clause.categories.all()),
            "max_sensitivity": sensitivity_names[clause.max_sensitivity],
        }
        recipients = sorted(a.code for a in clause.recipient_agencies.all())
        if recipients:
            item["recipients"] = recipients
        item["recipient_roles"] = list(clause.recipient_roles)
        item["conditions"] = {
            "training": list(clause.required_courses),
            "volunteers_may_receive": clause.volunteers_may_receive,
            "minimum_assurance": assurance_names[clause.minimum_assurance],
            "consent_needed": clause.consent_needed,
        }
        item["may_disclose_existence"] = clause.may_disclose_existence
        if clause.redacted_fields:
            item["redact"] = list(clause.redacted_fields)
        if clause.explanation:
            item["explanation"] = clause.explanation
        clauses.append(item)
    data["clauses"] = clauses
    return data


def dump_protocol(protocol: Protocol) -> str:
    """The YAML file of one protocol version (what `iomshare protocol export` writes)."""
    header = (
        f"# {protocol.title}, version {protocol.version} ({protocol.get_status_display().lower()}).\n"
        "# iomshare protocol file: the schema is in docs/protocols.md. `version` and `status` are\n"
        "# for information: importing this file creates a new draft version.\n"
    )
    return header + yaml.dump(
        protocol_data(protocol), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100
    )
