"""Administration views of identity resolution: read-only, because every change has a service."""

from django.contrib import admin

from iomshare.identity.models import (
    ConflictCase,
    HoldingAgencyNotice,
    LinkageModel,
    LinkageRun,
    MatchDecision,
    Merge,
    ResolutionEvent,
    ReviewCase,
    SourceRecord,
)


class ReadOnly(admin.ModelAdmin):
    """Merges, decisions and links go through identity.services so history and ledger stay whole."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SourceRecord)
class SourceRecordAdmin(ReadOnly):
    list_display = [
        "record_key",
        "agency",
        "given_name",
        "family_name",
        "date_of_birth",
        "postcode",
        "person",
    ]
    list_filter = ["agency"]
    search_fields = ["record_key", "family_name", "pnc", "nhs_number", "nomis", "cro"]
    raw_id_fields = ["person"]


@admin.register(LinkageModel)
class LinkageModelAdmin(ReadOnly):
    list_display = [
        "trained_at",
        "records_trained_on",
        "splink_version",
        "lower_threshold",
        "upper_threshold",
        "is_active",
    ]
    readonly_fields = [
        "trained_at",
        "trained_by",
        "splink_version",
        "records_trained_on",
        "training_seconds",
        "training_steps",
        "lower_threshold",
        "upper_threshold",
        "is_active",
        "model",
    ]


@admin.register(LinkageRun)
class LinkageRunAdmin(ReadOnly):
    list_display = [
        "started_at",
        "engine",
        "records",
        "pairs_scored",
        "people_created",
        "merges",
        "review_cases",
        "conflicts",
    ]


@admin.register(MatchDecision)
class MatchDecisionAdmin(ReadOnly):
    list_display = [
        "record_a",
        "record_b",
        "outcome",
        "confidence",
        "decided_by",
        "decided_at",
        "superseded_at",
    ]
    list_filter = ["outcome", "confidence"]


@admin.register(ReviewCase)
class ReviewCaseAdmin(ReadOnly):
    list_display = ["record_a", "record_b", "match_probability", "status", "created_at"]
    list_filter = ["status"]


@admin.register(ConflictCase)
class ConflictCaseAdmin(ReadOnly):
    list_display = ["__str__", "created_at", "resolved_at"]


@admin.register(Merge)
class MergeAdmin(ReadOnly):
    list_display = ["survivor", "absorbed", "reason", "merged_at", "undone_at"]
    list_filter = ["reason"]


@admin.register(ResolutionEvent)
class ResolutionEventAdmin(ReadOnly):
    list_display = ["at", "kind", "summary", "by"]
    list_filter = ["kind"]


@admin.register(HoldingAgencyNotice)
class HoldingAgencyNoticeAdmin(ReadOnly):
    list_display = ["created_at", "agency", "kind", "message"]
    list_filter = ["agency", "kind"]
