"""Dates in parametrized cases, worked out inside the test rather than when the module is imported,
so a run that crosses midnight still agrees with itself."""

from django.utils import timezone


def on_the_day(value):
    """`value` with every function of today in it (a case written `lambda today: ...`) called with
    today's date; dictionaries are worked through key by key."""
    if callable(value):
        return value(timezone.localdate())
    if isinstance(value, dict):
        return {key: on_the_day(part) for key, part in value.items()}
    return value
