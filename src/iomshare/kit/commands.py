"""What the daily commands share: the `--today` option that runs them as if on another day."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import CommandError


def today_option(text: str | None) -> dt.date | None:
    """The date `--today` names, or None for the real today; a clear error for anything else."""
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(
            f"--today must be a date written YYYY-MM-DD, like 2026-11-26, not {text!r}."
        ) from None
