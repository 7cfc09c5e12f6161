"""Remove the demo partnership, and everything recorded about it since, so it can be loaded afresh.

What to delete is found from the foreign keys rather than listed, row by row: a row goes when it
points at a row that goes. So the reset keeps working as apps add models, and reference data that
points at nobody (categories, forms and vocabulary seeded by migrations) stays.
"""

from __future__ import annotations

from collections.abc import Callable

from django.apps import apps
from django.db import models, transaction

from iomshare.demo.partnership import AGENCY_CODES, STAFF
from iomshare.errors import NotPermitted
from iomshare.identity.models import LinkageModel
from iomshare.partnership.models import Agency, StaffMember
from iomshare.people.models import Person

Model = type[models.Model]


def _references(model: Model) -> dict[str, Model]:
    """The model's foreign keys (by name) and the models they point at, itself left out."""
    return {
        field.name: field.related_model
        for field in model._meta.concrete_fields
        if field.is_relation and field.related_model not in (None, model)
    }


def _deletion_order(roots: set[Model]) -> list[Model]:
    """Every model that can point (directly or not) at a root, each before the models it points at."""
    every_model = apps.get_models(include_auto_created=True)
    references = {model: set(_references(model).values()) for model in every_model}
    reached = set(roots)
    grew = True
    while grew:
        grew = False
        for model in every_model:
            if model not in reached and references[model] & reached:
                reached.add(model)
                grew = True
    ordered: list[Model] = []
    remaining = set(reached)
    while remaining:
        ready = [m for m in remaining if not any(m in references[other] for other in remaining - {m})]
        if not ready:  # a cycle of references: deferred foreign keys let one transaction clear it
            ready = list(remaining)
        for model in sorted(ready, key=lambda m: m._meta.label):
            ordered.append(model)
            remaining.discard(model)
    return ordered


def _rows_to_delete(roots: dict[Model, models.QuerySet]) -> list[models.QuerySet]:
    """For each model, in a safe order, the rows that point at a row being deleted.

    Querysets stay lazy, so each is evaluated as it is deleted, while the rows it points at exist.
    """
    order = _deletion_order(set(roots))
    rows: dict[Model, models.QuerySet] = dict(roots)
    for model in reversed(order):  # build the rows pointed at before the rows that point at them
        if model in rows:
            continue
        pointing = models.Q()
        for name, target in _references(model).items():
            if target in rows:
                pointing |= models.Q(**{f"{name}__in": rows[target]})
        # An empty condition only in a cycle of references; the whole table then goes.
        rows[model] = model._base_manager.filter(pointing)
    return [rows[model] for model in order]


@transaction.atomic
def reset_demo(*, progress: Callable[[str, int, int], None] | None = None) -> None:
    """Delete the demo partnership and everything recorded about it since it was loaded.

    Refuses when the database holds any agency that is not one of the demo's: a reset must never
    wipe a real partnership. Accounts with no agency (an admin made by `createsuperuser`) are kept,
    as is what hangs off them alone (their tokens, groups, admin history).
    """
    others = list(Agency.objects.exclude(code__in=AGENCY_CODES).values_list("name", flat=True))
    if others:
        raise NotPermitted(
            "The database holds agencies that are not part of the demo ("
            + ", ".join(sorted(others))
            + "), so it was not reset and nothing was changed."
        )
    leaving = StaffMember._base_manager.filter(
        models.Q(agency__isnull=False) | models.Q(username__in=[spec.username for spec in STAFF])
    )
    roots: dict[Model, models.QuerySet] = {
        Agency: Agency._base_manager.all(),
        StaffMember: StaffMember._base_manager.filter(pk__in=list(leaving.values_list("pk", flat=True))),
        Person: Person._base_manager.all(),
        # Trained on the demo's records, so they go with them (and their runs and review cases).
        LinkageModel: LinkageModel._base_manager.all(),
    }
    doomed = _rows_to_delete(roots)
    for rows in doomed:
        rows.delete()
        if progress:
            progress("Removing the earlier demo", 1, len(doomed))
