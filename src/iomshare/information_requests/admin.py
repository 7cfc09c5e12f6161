from django.contrib import admin

from iomshare.information_requests.models import ApprovedItem, InformationRequest


class ApprovedItemInline(admin.TabularInline):
    model = ApprovedItem
    extra = 0
    readonly_fields = ["item_id"]
    can_delete = False


@admin.register(InformationRequest)
class InformationRequestAdmin(admin.ModelAdmin):
    """Read-only: decisions are made on the request's page, where they are checked and recorded."""

    list_display = [
        "pk",
        "requested_at",
        "requesting_agency",
        "holding_agency",
        "category",
        "purpose",
        "status",
    ]
    list_filter = ["status", "covered_by_protocol", "holding_agency", "purpose"]
    inlines = [ApprovedItemInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
