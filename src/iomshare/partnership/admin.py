from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from iomshare.partnership.models import Agency, ApiToken, StaffMember, TrainingRecord


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "is_statutory", "assurance_level", "assurance_expires_on"]
    list_filter = ["kind", "is_statutory", "assurance_level"]
    search_fields = ["name", "code"]


class TrainingInline(admin.TabularInline):
    model = TrainingRecord
    extra = 0


PARTNERSHIP_FIELDS = ["agency", "role", "is_volunteer", "job_title", "vetting_level", "vetting_expires_on"]


@admin.register(StaffMember)
class StaffMemberAdmin(UserAdmin):
    list_display = [
        "username",
        "first_name",
        "last_name",
        "agency",
        "role",
        "is_volunteer",
        "vetting_level",
        "vetting_expires_on",
        "is_active",
    ]
    list_filter = ["agency", "role", "is_volunteer", "vetting_level", "is_active"]
    fieldsets = [
        *UserAdmin.fieldsets,
        ("Partnership", {"fields": PARTNERSHIP_FIELDS}),
    ]
    add_fieldsets = [
        *UserAdmin.add_fieldsets,
        ("Partnership", {"fields": PARTNERSHIP_FIELDS}),
    ]
    inlines = [TrainingInline]


@admin.register(TrainingRecord)
class TrainingRecordAdmin(admin.ModelAdmin):
    list_display = ["staff_member", "course", "completed_on", "expires_on"]
    list_filter = ["course"]
    search_fields = ["staff_member__username", "staff_member__last_name"]
    date_hierarchy = "expires_on"


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "prefix",
        "staff_member",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
    ]
    readonly_fields = ["prefix", "key_hash", "created_at", "last_used_at"]
    search_fields = ["name", "prefix", "staff_member__username"]
