"""Standard forms: versioned definitions (JSON Schema plus layout) that items are recorded on.

A definition is never changed once published: a new version is published instead, so an item
recorded on version 1 is always read with version 1's questions.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from iomshare.records.models import Category


class FormDefinition(models.Model):
    code = models.SlugField(max_length=60)
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="form_definitions")
    is_assessment = models.BooleanField(default=False)
    definition = models.JSONField(help_text="The definition as published: schema, layout and settings.")
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["title", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="form_version_unique")]

    def __str__(self) -> str:
        return f"{self.title} (version {self.version})"

    @property
    def schema(self) -> dict[str, Any]:
        return self.definition["schema"]

    @property
    def layout(self) -> list[dict[str, Any]]:
        return self.definition["layout"]

    @property
    def fields(self) -> list[dict[str, Any]]:
        """Every field of the layout, in the order it is asked."""
        return [field for section in self.layout for field in section["fields"]]

    @property
    def required(self) -> set[str]:
        return set(self.schema.get("required", []))
