"""`{% form_answers item.payload %}`: an item's answers, read with the questions of its own version.

An item recorded on version 1 of a form keeps version 1's labels even after version 2 is published.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import template

from iomshare.forms.models import FormDefinition

register = template.Library()


def _form(context: template.Context, code: str, version: Any) -> FormDefinition | None:
    # The render context is typed for Django's own use (template origins); this page's entry is ours.
    cache = cast(
        "dict[tuple[str, Any], FormDefinition | None]",
        context.render_context.setdefault("standard_forms", {}),  # type: ignore[arg-type]
    )
    key = (code, version)
    if key not in cache:
        cache[key] = FormDefinition.objects.filter(code=code, version=version).first()
    return cache[key]


def _display(field: dict[str, Any], answer: Any) -> Any:
    if field.get("widget") == "date" and isinstance(answer, str):
        try:
            return dt.date.fromisoformat(answer)
        except ValueError:
            return answer
    return answer


def _row(label: str, field: dict[str, Any], answer: Any) -> dict[str, Any]:
    return {"label": label, "field": field, "answer": answer, "is_answered": answer not in (None, "", [])}


@register.inclusion_tag("forms/answers.html", takes_context=True)
def form_answers(context: template.Context, payload: dict[str, Any], change_url: str = "") -> dict[str, Any]:
    """Rows of (question, answer); with `change_url`, each row links back to change it."""
    payload = payload or {}
    answers = payload.get("answers") or {}
    form = _form(context, payload.get("form", ""), payload.get("version")) if payload.get("form") else None
    if form is None:
        rows = [_row(name, {}, answer) for name, answer in answers.items()]
    else:
        rows = [
            _row(field["label"], field, _display(field, answers.get(field["name"])))
            for field in form.fields
            if change_url or field["name"] in answers
        ]
    return {"form": form, "rows": rows, "change_url": change_url, "payload": payload}
