"""The partnership's common language: concepts, their synonyms, and each agency's local terms for them.

Two agencies can use one word for two things ("DA" marks a perpetrator at one and a victim at the
other), so a coded value is stored as a concept of a scheme, never as the agency's own code.
"""

from __future__ import annotations

from django.db import models

from iomshare.partnership.models import Agency


class Scheme(models.Model):
    """A group of concepts one coded value is chosen from (offence groups, risk levels, tiers...)."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Concept(models.Model):
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="concepts")
    code = models.SlugField(max_length=60, help_text="Stable code, unique within its scheme.")
    preferred_term = models.CharField(max_length=120)
    definition = models.TextField()
    scope_note = models.TextField(blank=True, help_text="What the concept includes and leaves out.")
    examples = models.JSONField(default=list, blank=True, help_text="A list of short examples.")
    position = models.PositiveIntegerField(default=0, help_text="Order within the scheme (lists, forms).")

    class Meta:
        ordering = ["scheme", "position", "preferred_term"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="concept_code_unique_in_scheme")
        ]

    def __str__(self) -> str:
        return self.preferred_term


class Synonym(models.Model):
    """Another name people use for a concept, so a search for it finds the concept."""

    concept = models.ForeignKey(Concept, on_delete=models.CASCADE, related_name="synonyms")
    term = models.CharField(max_length=120)

    class Meta:
        ordering = ["term"]
        constraints = [models.UniqueConstraint(fields=["concept", "term"], name="synonym_unique_per_concept")]

    def __str__(self) -> str:
        return self.term


class LocalTerm(models.Model):
    """A code one agency's own systems use, and the concept it means.

    The same code may (wrongly) be mapped to two concepts: that is kept so an information-governance
    lead sees the conflict, and `services.resolve` refuses to translate it until it is settled.
    """

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="local_terms")
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="local_terms")
    local_code = models.CharField(max_length=60)
    local_label = models.CharField(max_length=200, blank=True)
    concept = models.ForeignKey(Concept, on_delete=models.PROTECT, related_name="local_terms")

    class Meta:
        ordering = ["agency", "scheme", "local_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "scheme", "local_code", "concept"], name="local_term_mapped_once"
            )
        ]
        indexes = [models.Index(fields=["agency", "scheme", "local_code"])]

    def __str__(self) -> str:
        return f"{self.agency.code}:{self.local_code} → {self.concept.code}"
