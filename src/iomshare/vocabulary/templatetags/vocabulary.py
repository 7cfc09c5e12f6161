"""`{% term scheme code %}`: show a coded value by its preferred term, its definition one click away.

Rendered as a GOV.UK details component, so it works without JavaScript and with a screen reader, and
links to the concept's own page. Concepts are looked up once per scheme per page render.
"""

from __future__ import annotations

from typing import cast

from django import template

from iomshare.vocabulary.models import Concept

register = template.Library()


def _concepts(context: template.Context, scheme_code: str) -> dict[str, Concept]:
    # The render context is typed for Django's own use (template origins); this page's entry is ours.
    cache = cast(
        "dict[str, dict[str, Concept]]",
        context.render_context.setdefault("vocabulary_concepts", {}),  # type: ignore[arg-type]
    )
    if scheme_code not in cache:
        cache[scheme_code] = {
            concept.code: concept
            for concept in Concept.objects.filter(scheme__code=scheme_code).select_related("scheme")
        }
    return cache[scheme_code]


@register.inclusion_tag("vocabulary/term.html", takes_context=True)
def term(context: template.Context, scheme_code: str, code) -> dict:
    """One coded value, or each of a list of them (a checkboxes answer)."""
    codes = code if isinstance(code, list | tuple) else [code]
    concepts = _concepts(context, scheme_code)
    return {
        "terms": [
            {"code": value, "concept": concepts.get(str(value))} for value in codes if value not in ("", None)
        ],
        "scheme_code": scheme_code,
    }


@register.simple_tag(takes_context=True)
def term_name(context: template.Context, scheme_code: str, code) -> str:
    """Just the preferred term (for places a details component does not fit, such as a page title)."""
    concept = _concepts(context, scheme_code).get(str(code))
    return concept.preferred_term if concept else str(code)
