"""Information items: what each holding agency records about a person, and nothing more.

Item content is read only through `records.selectors` (the one door, invariant 1 of DESIGN.md).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from iomshare.partnership.models import Agency
from iomshare.people.models import Person


class Category(models.Model):
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Sensitivity(models.IntegerChoices):
    """Government Security Classification tiers in use, ordered so protocols can cap them."""

    OFFICIAL = 1, "OFFICIAL"
    OFFICIAL_SENSITIVE = 2, "OFFICIAL-SENSITIVE"


class HandlingCode(models.TextChoices):
    """The holding agency's handling instruction (police intelligence handling codes are the model)."""

    SHAREABLE = "shareable", "May be shared under a protocol"
    NO_ONWARD_SHARING = "no_onward_sharing", "Not to be shared outside the holding agency"


class Nature(models.TextChoices):
    """Whether an item records a fact or a professional opinion: readers weigh them differently."""

    FACT = "fact", "Fact"
    OPINION = "opinion", "Opinion"


class ItemStatus(models.TextChoices):
    LIVE = "live", "Live"
    WITHDRAWN = "withdrawn", "Withdrawn"


class InformationItemQuerySet(models.QuerySet["InformationItem"]):
    def for_person(self, person: Person) -> InformationItemQuerySet:
        return self.filter(person=person)

    def held_by(self, agency: Agency) -> InformationItemQuerySet:
        return self.filter(holding_agency=agency)

    def live(self) -> InformationItemQuerySet:
        return self.filter(status=ItemStatus.LIVE)


class InformationItem(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # No single-column indexes on the foreign keys: the composite indexes below lead with person and
    # with holding agency, and every extra index costs each imported row (imports target 20,000 rows/s).
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="items", db_index=False)
    holding_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="items", db_index=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="authored_items", db_index=False
    )
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="items", db_index=False)
    sensitivity = models.IntegerField(choices=Sensitivity.choices, default=Sensitivity.OFFICIAL)
    summary = models.CharField(max_length=300)
    details = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True, help_text="Structured content on a standard form.")
    recorded_at = models.DateTimeField(default=timezone.now)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    review_by = models.DateField(help_text="When the holding agency must check this is still accurate.")
    status = models.CharField(max_length=10, choices=ItemStatus.choices, default=ItemStatus.LIVE)
    handling_code = models.CharField(
        max_length=20, choices=HandlingCode.choices, default=HandlingCode.SHAREABLE
    )
    nature = models.CharField(max_length=10, choices=Nature.choices, default=Nature.FACT)
    # While its accuracy is disputed the holding agency can restrict an item: then only that agency's
    # information-governance lead sees it (UK GDPR Article 18).
    restricted_reason = models.TextField(blank=True)
    restricted_at = models.DateTimeField(null=True, blank=True)

    objects = InformationItemQuerySet.as_manager()

    class Meta:
        ordering = ["-recorded_at"]
        indexes = [
            models.Index(fields=["person", "holding_agency", "category", "sensitivity"]),
            models.Index(fields=["holding_agency", "review_by"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=models.F("valid_from")),
                name="item_valid_period_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.category} item held by {self.holding_agency}"


class CorrectionKind(models.TextChoices):
    CORRECTED = "corrected", "Corrected"
    WITHDRAWN = "withdrawn", "Withdrawn"


class ItemCorrection(models.Model):
    """A correction or withdrawal by the holding agency, keeping the values it replaced."""

    item = models.ForeignKey(InformationItem, on_delete=models.PROTECT, related_name="corrections")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=10, choices=CorrectionKind.choices)
    reason = models.TextField()
    previous = models.JSONField(default=dict, help_text="The values before the change, by field.")
    changes = models.JSONField(default=dict, help_text="The values after the change, by field.")

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.by} at {self.at:%Y-%m-%d %H:%M}"
