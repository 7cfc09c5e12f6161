"""`{% load retention_tags %}` then `{% if item|is_stale %}`: mark items past their accuracy review date."""

from __future__ import annotations

from typing import Any

from django import template

from iomshare.retention import selectors

register = template.Library()


@register.filter
def is_stale(item: Any) -> bool:
    """True for a live item whose review-by date has passed (see retention.selectors.is_stale)."""
    return selectors.is_stale(item)
