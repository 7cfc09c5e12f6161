"""Information items: what each holding agency records about a person, and nothing more.

Item content is read only through `records.selectors` (the one door, invariant 1 of DESIGN.md).
It is stored sealed (records.crypto, under data keys from records.key_store): `summary`, `details`
and `payload` are properties that open the sealed content when first read, and seal it again when
the item is saved.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from iomshare.partnership.models import Agency
from iomshare.people.models import Person
from iomshare.records import crypto
from iomshare.records.key_store import DataKey, cipher_for, current_keys

if TYPE_CHECKING:
    from iomshare.records.selectors import Basis

__all__ = [
    "Category",
    "CorrectionKind",
    "DataKey",
    "HandlingCode",
    "InformationItem",
    "InformationItemQuerySet",
    "ItemCorrection",
    "ItemStatus",
    "Nature",
    "Sensitivity",
    "seal_items",
]


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
    DISPOSED = "disposed", "Disposed of"


def seal_items(items: Sequence[InformationItem]) -> None:
    """Seal the content of every item given whose content was set or changed since it was loaded.

    One key look-up per (holding agency) for all the items' people: what makes bulk writes cheap.
    """
    pending = [item for item in items if item._content_is_unsealed()]
    by_agency: dict[int, set[Any]] = {}
    for item in pending:
        by_agency.setdefault(item.holding_agency_id, set()).add(item.person_id)
    keys = {agency: current_keys(agency, people) for agency, people in by_agency.items()}
    for item in pending:
        serial, cipher = keys[item.holding_agency_id][crypto.as_uuid(item.person_id)]
        item._seal_with(cipher, serial)


class InformationItemQuerySet(models.QuerySet["InformationItem"]):
    def for_person(self, person: Person) -> InformationItemQuerySet:
        return self.filter(person=person)

    def held_by(self, agency: Agency) -> InformationItemQuerySet:
        return self.filter(holding_agency=agency)

    def live(self) -> InformationItemQuerySet:
        return self.filter(status=ItemStatus.LIVE)

    # Typed loosely: django-stubs' bulk_create is generic over the model in a way a queryset bound to
    # one model cannot restate.
    def bulk_create(self, objs: Iterable[Any], *args: Any, **kwargs: Any) -> list[Any]:
        items = list(objs)
        seal_items(items)
        return list(super().bulk_create(items, *args, **kwargs))


# Item fields kept inside the sealed content, and the columns that hold them once sealed.
CONTENT_FIELDS = ("summary", "details", "payload")
SEALED_COLUMNS = ("sealed_content", "form_code", "form_version")
_NO_CONTENT: tuple[str, str, Any] = ("", "", {})


def form_facts(payload: Any) -> tuple[str, int | None]:
    """The standard form (code, version) a payload is on: plain, non-personal columns for filtering."""
    if not isinstance(payload, dict):
        return "", None
    code = payload.get("form")
    version = payload.get("version")
    return (
        str(code)[:60] if code else "",
        version if isinstance(version, int) and not isinstance(version, bool) and version >= 0 else None,
    )


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
    # Summary, details and payload, sealed (see records.crypto); read them through the properties.
    sealed_content = models.BinaryField(null=True, editable=False)
    # Which standard form the payload is on, in the clear: not personal, and needed in SQL filters.
    form_code = models.CharField(max_length=60, blank=True, default="")
    form_version = models.PositiveIntegerField(null=True, blank=True)
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
    # Set by the door on each item it discloses: what allows the viewer to see it (not a column).
    basis: Basis

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

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.__dict__.get("_redacted_view"):
            raise RuntimeError("A redacted view of an item is for showing only; it is never saved.")
        update_fields = kwargs.get("update_fields")
        if self._state.adding and self.sealed_content is None and not self._content_is_unsealed():
            self._set_content(0, "")  # a new item always gets sealed content, never a bare NULL
        if self._content_is_unsealed():
            seal_items([self])
            if update_fields is not None:
                kwargs["update_fields"] = _with_sealed_columns(update_fields)
        elif update_fields is not None and set(update_fields) & set(CONTENT_FIELDS):
            kwargs["update_fields"] = [name for name in update_fields if name not in CONTENT_FIELDS]
        super().save(*args, **kwargs)

    # -- Content: opened on first read, sealed on save --------------------------------------------

    def open_content(self) -> tuple[str, str, Any]:
        """(summary, details, payload), opened now: before the key that sealed them is replaced."""
        return self._content()

    def _content(self) -> tuple[str, str, Any]:
        cached = self.__dict__.get("_content_cache")
        sealed = self.sealed_content
        if cached is not None and cached[0] is sealed:
            return cached[1]
        if sealed is None or self.status == ItemStatus.DISPOSED:
            content = _NO_CONTENT
        else:
            sealed = bytes(sealed)
            cipher = cipher_for(self.person_id, self.holding_agency_id, crypto.serial_of(sealed))
            content = crypto.decode_content(crypto.open_sealed(cipher, crypto.item_aad(self.pk), sealed))
        self.__dict__["_content_cache"] = (self.sealed_content, content, False)
        return content

    def _set_content(self, index: int, value: Any) -> None:
        content = list(self._content())
        content[index] = value
        self.__dict__["_content_cache"] = (self.sealed_content, tuple(content), True)

    def _content_is_unsealed(self) -> bool:
        cached = self.__dict__.get("_content_cache")
        return cached is not None and cached[2] and cached[0] is self.sealed_content

    def _seal_with(self, cipher: Any, serial: int) -> None:
        summary, details, payload = self._content()
        self.sealed_content = crypto.seal(
            cipher, serial, crypto.item_aad(self.pk), crypto.encode_content(summary, details, payload)
        )
        self.form_code, self.form_version = form_facts(payload)
        self.__dict__["_content_cache"] = (self.sealed_content, (summary, details, payload), False)

    @property
    def summary(self) -> str:
        return self._content()[0]

    @summary.setter
    def summary(self, value: str) -> None:
        self._set_content(0, value)

    @property
    def details(self) -> str:
        return self._content()[1]

    @details.setter
    def details(self, value: str) -> None:
        self._set_content(1, value or "")

    @property
    def payload(self) -> Any:
        return self._content()[2]

    @payload.setter
    def payload(self, value: Any) -> None:
        self._set_content(2, value if value is not None else {})

    def show_redacted(self, payload: Any) -> None:
        """Show `payload` in place of the real one, in memory only: a recipient's redacted view.

        The content is not marked as changed, and saving this instance is refused, so a redacted copy
        can never be sealed over the holding agency's record.
        """
        summary, details, _ = self._content()
        self.__dict__["_content_cache"] = (self.sealed_content, (summary, details, payload), False)
        self.__dict__["_redacted_view"] = True

    @property
    def is_disposed(self) -> bool:
        return self.status == ItemStatus.DISPOSED


def _with_sealed_columns(update_fields: Iterable[str]) -> list[str]:
    names = [name for name in update_fields if name not in CONTENT_FIELDS]
    return names + [name for name in SEALED_COLUMNS if name not in names]


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
    # The values before and after the change, by field, sealed under the item's data key so that
    # disposing of the item disposes of its history too. Read through `previous` and `changes`.
    sealed_history = models.BinaryField(null=True, editable=False)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.by} at {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        cached = self.__dict__.get("_history_cache")
        if cached is not None and cached[2] and cached[0] is self.sealed_history:
            item = self.item
            serial, cipher = current_keys(item.holding_agency_id, [item.person_id])[
                crypto.as_uuid(item.person_id)
            ]
            self.seal_history_with(cipher, serial)
        super().save(*args, **kwargs)

    def open_history(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """(previous, changes), opened now: before the key that sealed them is replaced."""
        return self._history()

    def _history(self) -> tuple[dict[str, Any], dict[str, Any]]:
        cached = self.__dict__.get("_history_cache")
        sealed = self.sealed_history
        if cached is not None and cached[0] is sealed:
            return cached[1]
        if sealed is None:
            history: tuple[dict[str, Any], dict[str, Any]] = ({}, {})
        else:
            sealed = bytes(sealed)
            item = self.item
            cipher = cipher_for(item.person_id, item.holding_agency_id, crypto.serial_of(sealed))
            plaintext = crypto.open_sealed(cipher, self.history_aad(), sealed)
            history = crypto.decode_history(plaintext)
        self.__dict__["_history_cache"] = (self.sealed_history, history, False)
        return history

    def history_aad(self) -> bytes:
        return crypto.correction_aad(self.item_id, self.kind, self.at)

    def _set_history(self, index: int, value: dict[str, Any]) -> None:
        history = list(self._history())
        history[index] = dict(value or {})
        self.__dict__["_history_cache"] = (self.sealed_history, tuple(history), True)

    @property
    def previous(self) -> dict[str, Any]:
        return self._history()[0]

    @previous.setter
    def previous(self, value: dict[str, Any]) -> None:
        self._set_history(0, value)

    @property
    def changes(self) -> dict[str, Any]:
        return self._history()[1]

    @changes.setter
    def changes(self, value: dict[str, Any]) -> None:
        self._set_history(1, value)

    def seal_history_with(self, cipher: Any, serial: int) -> None:
        previous, changes = self._history()
        self.sealed_history = crypto.seal(
            cipher, serial, self.history_aad(), crypto.encode_history(previous, changes)
        )
        self.__dict__["_history_cache"] = (self.sealed_history, (previous, changes), False)
