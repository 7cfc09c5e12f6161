"""Read-only admin views of protocols: every change goes through the lifecycle in services.py.

Editing a version here would change rules the parties approved and bypass Cedar validation, so the
admin can look but not touch; drafting is by YAML import, and approval on the protocol page.
"""

from django.contrib import admin

from iomshare.protocols.models import Approval, Clause, LegalGateway, Protocol, Purpose


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ClauseInline(admin.StackedInline):
    model = Clause
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class ApprovalInline(admin.TabularInline):
    model = Approval
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Protocol)
class ProtocolAdmin(ReadOnlyAdmin):
    list_display = ["title", "reference", "version", "status", "owner_agency", "review_on", "ends_on"]
    list_filter = ["status", "owner_agency"]
    search_fields = ["title", "reference"]
    inlines = [ClauseInline, ApprovalInline]


@admin.register(Purpose)
class PurposeAdmin(ReadOnlyAdmin):
    list_display = ["name", "code"]


@admin.register(LegalGateway)
class LegalGatewayAdmin(ReadOnlyAdmin):
    list_display = ["title", "code", "kind"]
    list_filter = ["kind"]
