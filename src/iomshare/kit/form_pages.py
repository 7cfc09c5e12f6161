"""A page with a form, as GOV.UK asks: when what was sent has problems, the title starts "Error: " and
the status is 400 (so screen readers announce it and machines see the refusal); otherwise 200."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def first_errors(form: forms.Form) -> dict[str, str]:
    """Each field's first problem, keyed by field name (`__all__` for the form's own), for the summary."""
    return {name: str(problems[0]) for name, problems in form.errors.items()}


def render_form_page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    title: str,
    errors: dict[str, str] | None = None,
    error_status: int = 400,
) -> HttpResponse:
    """Render `template` with `page_title` and `errors` set from the problems found, if any.

    `error_status` is for pages that have always answered problems with another status (422)."""
    errors = errors or {}
    return render(
        request,
        template,
        {**context, "page_title": ("Error: " if errors else "") + title, "errors": errors},
        status=error_status if errors else 200,
    )
