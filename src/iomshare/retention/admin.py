from django.contrib import admin

from iomshare.retention.models import (
    AnonymisedCount,
    LegalHold,
    PersonDates,
    RetentionReview,
    RetentionSchedule,
)


@admin.register(RetentionSchedule)
class RetentionScheduleAdmin(admin.ModelAdmin):
    """Partnership defaults are set here; agencies set their own on the schedules page."""

    list_display = ["category", "holding_agency", "period", "unit", "trigger", "action"]
    list_filter = ["holding_agency", "trigger", "action"]


@admin.register(PersonDates)
class PersonDatesAdmin(admin.ModelAdmin):
    list_display = ["person", "sentence_ends_on"]
    raw_id_fields = ["person"]


@admin.register(RetentionReview)
class RetentionReviewAdmin(admin.ModelAdmin):
    """Read-only: decisions are made on the review queue, where they go on the ledger."""

    list_display = ["item_id", "holding_agency", "category", "due_on", "status"]
    list_filter = ["status", "holding_agency"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(LegalHold)
class LegalHoldAdmin(admin.ModelAdmin):
    """Read-only: holds are placed and lifted on the legal holds page, where they go on the ledger."""

    list_display = ["person", "item_id", "placing_agency", "placed_at", "lifted_at"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False


admin.site.register(AnonymisedCount)
