"""Import of agency extracts: how each agency's files map onto items, each run, and what it created.

An agency-local key (the agency's own id for the row) is remembered with the item it became, so
importing the same extract twice creates nothing the second time.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from iomshare.forms.models import FormDefinition
from iomshare.partnership.models import Agency
from iomshare.people.models import IdentifierScheme
from iomshare.records.models import Category, Sensitivity


class FileType(models.TextChoices):
    CSV = "csv", "CSV (comma-separated values, UTF-8)"
    JSON = "json", "JSON (an array of objects, or one object per line)"
    XLSX = "xlsx", "Excel workbook (.xlsx, first sheet)"


class ImportProfile(models.Model):
    """How one agency's extract of one kind maps onto items: its columns, codes and dates.

    `columns` maps each column of the file to an item field: summary, details, valid_from, valid_to,
    review_by, or `answers.<name>` for an answer to the profile's form. A column mapped to a coded
    answer holds the agency's own codes, translated through the vocabulary (invariant 7).
    """

    name = models.SlugField(max_length=60, unique=True, help_text="Used by `iomshare import --profile`.")
    title = models.CharField(max_length=200)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="import_profiles")
    file_type = models.CharField(max_length=10, choices=FileType.choices)
    key_column = models.CharField(max_length=100, help_text="Column holding the agency's own id for the row.")
    person_column = models.CharField(max_length=100, help_text="Column holding the person's identifier.")
    person_scheme = models.CharField(
        max_length=10,
        choices=IdentifierScheme.choices,
        help_text="Which identifier the person column holds (local ids are the agency's own).",
    )
    form = models.ForeignKey(
        FormDefinition, on_delete=models.PROTECT, null=True, blank=True, related_name="import_profiles"
    )
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="import_profiles",
        help_text="Category of the items; defaults to the form's.",
    )
    sensitivity = models.IntegerField(choices=Sensitivity.choices, default=Sensitivity.OFFICIAL)
    columns = models.JSONField(default=dict, help_text="Column name -> item field.")
    date_format = models.CharField(
        max_length=20, default="%Y-%m-%d", help_text="How dates are written, e.g. %d/%m/%Y."
    )
    list_separator = models.CharField(
        max_length=1, default=";", help_text="Separates several codes in one cell."
    )

    class Meta:
        ordering = ["agency", "name"]

    def __str__(self) -> str:
        return self.title


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    CHECKING = "checking", "Checking"
    CHECKED = "checked", "Checked"
    IMPORTING = "importing", "Importing"
    IMPORTED = "imported", "Imported"
    FAILED = "failed", "Failed"


class ImportRun(models.Model):
    """One file through one profile: first checked (a dry run), then, if asked, imported."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    profile = models.ForeignKey(ImportProfile, on_delete=models.PROTECT, related_name="runs")
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(max_length=255)
    file_path = models.CharField(max_length=500, help_text="Where the uploaded file is kept until imported.")
    file_sha256 = models.CharField(max_length=64)
    file_size = models.BigIntegerField(default=0)
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    accept_valid_rows = models.BooleanField(
        default=False, help_text="Import the valid rows and return the rejected ones as a file."
    )
    rows_read = models.PositiveIntegerField(default=0)
    rows_valid = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)
    rows_already_imported = models.PositiveIntegerField(default=0)
    rows_created = models.PositiveIntegerField(default=0)
    problem_count = models.PositiveIntegerField(default=0)
    problems = models.JSONField(
        default=list, help_text="The first problems found (row, column, value, reason)."
    )
    progress = models.FloatField(default=0.0, help_text="Share of the file read, 0 to 1.")
    message = models.TextField(blank=True)
    rejects_path = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    checked_at = models.DateTimeField(null=True, blank=True)
    imported_at = models.DateTimeField(null=True, blank=True)
    job_id = models.CharField(max_length=64, blank=True, help_text="The queued job carrying the run out.")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} via {self.profile.name} ({self.get_status_display()})"

    @property
    def is_running(self) -> bool:
        return self.status in {RunStatus.QUEUED, RunStatus.CHECKING, RunStatus.IMPORTING}

    @property
    def is_valid(self) -> bool:
        return self.status == RunStatus.CHECKED and self.problem_count == 0


class ImportedItemKey(models.Model):
    """An agency-local key already imported, and the item it became: re-imports skip it.

    Written only by imports, from rows already checked, a million at a time: the database keeps no
    foreign-key constraints or extra indexes on it (each would cost a check per row at commit); the
    ORM still protects the agency and profile from deletion.
    """

    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="imported_keys", db_constraint=False, db_index=False
    )
    profile = models.ForeignKey(
        ImportProfile,
        on_delete=models.PROTECT,
        related_name="imported_keys",
        db_constraint=False,
        db_index=False,
    )
    local_key = models.CharField(max_length=100)
    # No foreign key: an item disposed of under retention must not come back on the next import.
    item_id = models.UUIDField()
    run = models.ForeignKey(
        ImportRun,
        on_delete=models.SET_NULL,
        null=True,
        related_name="imported_keys",
        db_constraint=False,
        db_index=False,
    )
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["profile", "local_key"], name="imported_key_unique_per_profile")
        ]

    def __str__(self) -> str:
        return f"{self.profile.name}:{self.local_key}"


class ExtractStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    BUILDING = "building", "Building"
    READY = "ready", "Ready to download"
    FAILED = "failed", "Failed"
    EXPIRED = "expired", "Expired"


class ExtractFormat(models.TextChoices):
    JSON = "json", "JSON"
    CSV = "csv", "CSV"


class ExtractRun(models.Model):
    """One bulk extract asked for: built by a worker, kept sealed until it expires, for its asker only.

    The asking request's id, channel and client address are kept so that every ledger entry the
    worker writes while building it names the request that asked (issue 19).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="extract_runs")
    purpose = models.CharField(max_length=200, blank=True)
    file_format = models.CharField(max_length=4, choices=ExtractFormat.choices)
    filters = models.JSONField(default=dict, blank=True, help_text="e.g. {'person_ids': [...]}.")
    status = models.CharField(max_length=10, choices=ExtractStatus.choices, default=ExtractStatus.QUEUED)
    people_done = models.PositiveIntegerField(default=0, help_text="People the extract has gone through.")
    people_total = models.PositiveIntegerField(default=0)
    people_in_file = models.PositiveIntegerField(default=0, help_text="People with items in the file.")
    items_in_file = models.PositiveIntegerField(default=0)
    # Where the next page of people starts: the work done so far commits with this cursor.
    after_person = models.CharField(max_length=36, blank=True)
    file_path = models.CharField(max_length=500, blank=True)
    file_bytes = models.BigIntegerField(default=0, help_text="Bytes of the sealed file committed so far.")
    file_pieces = models.PositiveIntegerField(default=0)
    key_generation = models.PositiveIntegerField(default=0)
    wrapped_key = models.BinaryField(blank=True, default=b"", help_text="The file's key, wrapped.")
    error = models.TextField(blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    channel = models.CharField(max_length=10)
    client_address = models.CharField(max_length=45, blank=True)
    job_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Extract {self.pk} ({self.get_status_display()})"

    @property
    def is_running(self) -> bool:
        return self.status in {ExtractStatus.QUEUED, ExtractStatus.BUILDING}

    @property
    def progress(self) -> float:
        if self.status == ExtractStatus.READY:
            return 1.0
        return min(1.0, self.people_done / self.people_total) if self.people_total else 0.0


class ImportedCohortChange(models.Model):
    """The key of a row of a cohort changes file once applied, so a file sent again applies only what is new."""

    key = models.CharField(max_length=100, unique=True)
    imported_at = models.DateTimeField(default=timezone.now)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return self.key
