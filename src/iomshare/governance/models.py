"""Monthly snapshots of the health check's figures: the 12-month trend of each question."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class HealthSnapshot(models.Model):
    """Every figure of the health check as it stood when the month's snapshot was taken.

    One per month (the first day of the month names it): aggregates only, never a person.
    """

    month = models.DateField(unique=True, help_text="The first day of the month the figures describe.")
    taken_at = models.DateTimeField(default=timezone.now)
    figures = models.JSONField(default=dict, help_text="Figure key -> number, as in the health check's CSV.")

    class Meta:
        ordering = ["-month"]

    def __str__(self) -> str:
        return f"Health check snapshot for {self.month:%B %Y}"
