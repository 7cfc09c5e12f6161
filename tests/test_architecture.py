"""Invariant 1, the one door: nothing outside records.selectors queries information-item content.

Writes (records.services), the model itself, demo seeding and the retention sweep's metadata-only
query (ids and dates, never content) are the only other places allowed to touch the items table.
"""

import ast
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[1] / "src" / "iomshare"

ALLOWED = {
    "records/selectors/__init__.py",  # the door
    "records/selectors/sight.py",  # the door's sight of a person: the condition each read is made with
    "records/selectors/alerts.py",  # the door for alerts: what one recipient may be told of one event
    "records/selectors/counts.py",  # the door's counts and metadata, never content
    "records/selectors/subject_access.py",  # the door for subject access requests
    "records/selectors/onward.py",  # the door for referrals to services: may an item go on (metadata only)
    "records/selectors/judging.py",  # the door for an IG lead judging their agency's item (retention, accuracy)
    "records/services.py",  # writes and corrections
    "records/bulk.py",  # writes in bulk (imports)
    "records/disposal.py",  # disposal: re-seals a bucket's surviving items, empties the disposed
    "records/models.py",
    "retention/due.py",  # finds what is due from ids and dates only
}
ALLOWED_PACKAGES = ("demo/", "migrations/")
TABLE = "records_informationitem"


def door_breaches(source: str) -> list[str]:
    """Each place in `source` that reaches item rows other than through records.selectors."""
    breaches = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in {"objects", "_default_manager", "_base_manager"}
            and isinstance(node.value, ast.Name)
            and node.value.id in {"InformationItem", "ItemCorrection"}
        ):
            breaches.append(f"line {node.lineno}: {node.value.id}.{node.attr}")
        elif (
            isinstance(node, ast.keyword)
            and node.arg
            and node.arg.startswith(("items__", "authored_items__"))
        ):
            breaches.append(f"line {node.value.lineno}: lookup across the items relation ({node.arg})")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if node.value.startswith(("items__", "authored_items__")) or TABLE in node.value:
                breaches.append(f"line {node.lineno}: {node.value[:60]!r}")
        elif isinstance(node, ast.Attribute) and node.attr in {"items", "authored_items"}:
            # person.items.all() / staff.authored_items.filter(): the related managers of the model
            parent_call = node.value
            if isinstance(parent_call, ast.Name) and parent_call.id in {
                "person",
                "profile",
                "author",
                "staff",
            }:
                breaches.append(f"line {node.lineno}: {parent_call.id}.{node.attr}")
    return breaches


def python_modules():
    for path in sorted(SOURCE.rglob("*.py")):
        relative = path.relative_to(SOURCE).as_posix()
        if relative in ALLOWED or relative.startswith(ALLOWED_PACKAGES) or "/migrations/" in relative:
            continue
        yield relative, path


def test_no_module_outside_the_door_queries_item_content():
    breaches = {
        relative: found for relative, path in python_modules() if (found := door_breaches(path.read_text()))
    }
    assert not breaches, f"item content read outside records.selectors (invariant 1): {breaches}"


def test_templates_do_not_reach_items_through_related_managers():
    offenders = [
        path.relative_to(SOURCE).as_posix()
        for path in SOURCE.rglob("*.html")
        if ".items.all" in path.read_text() or ".authored_items" in path.read_text()
    ]
    assert not offenders


@pytest.mark.parametrize(
    "snippet",
    [
        "InformationItem.objects.filter(person=p)",
        "Person.objects.filter(items__summary__icontains='x')",
        "Person.objects.values('items__details')",
        "cursor.execute('select summary from records_informationitem')",
        "person.items.all()",
        "ItemCorrection.objects.all()",
    ],
)
def test_the_check_catches_each_way_round_the_door(snippet):
    assert door_breaches(snippet)


def test_the_check_passes_ordinary_code():
    assert (
        door_breaches("for key, value in payload.items():\n    selectors.picture_for(v, p, purpose=None)")
        == []
    )
