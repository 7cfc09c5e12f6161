"""The ledger in Django's admin: read-only, for browsing; reports live at /ledger/."""

from django.contrib import admin

from iomshare.ledger.models import Checkpoint, LedgerEntry


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["at", "action", "actor_username", "actor_agency", "channel", "person_id", "outcome"]
    list_filter = ["action", "channel", "outcome", "actor_agency"]
    search_fields = ["actor_username", "=request_id"]
    date_hierarchy = "at"
    show_full_result_count = False  # counting millions of rows on every page is slow


@admin.register(Checkpoint)
class CheckpointAdmin(ReadOnlyAdmin):
    list_display = ["seq", "at", "entry_count", "key_id"]
