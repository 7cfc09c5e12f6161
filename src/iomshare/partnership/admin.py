from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin

from iomshare.errors import DomainError
from iomshare.partnership import single_sign_on
from iomshare.partnership.models import Agency, AgencySignOn, ApiToken, StaffMember, TrainingRecord


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "is_statutory", "assurance_level", "assurance_expires_on"]
    list_filter = ["kind", "is_statutory", "assurance_level"]
    search_fields = ["name", "code"]


class TrainingInline(admin.TabularInline):
    model = TrainingRecord
    fk_name = "staff_member"
    extra = 0


PARTNERSHIP_FIELDS = ("agency", "role", "is_volunteer", "job_title", "vetting_level", "vetting_expires_on")


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
        *(UserAdmin.fieldsets or ()),  # Django sets them; its stubs allow None
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


@admin.register(AgencySignOn)
class AgencySignOnAdmin(admin.ModelAdmin):
    """An agency's identity provider and claim mapping; the second factor is accepted by its IG lead."""

    list_display = ["agency", "provider", "role_claim", "provisions_new_staff", "second_factor_accepted_at"]
    readonly_fields = ["second_factor_accepted_by", "second_factor_accepted_at", "second_factor_accepted_for"]
    actions = ["accept_second_factor", "withdraw_second_factor"]

    def _act(self, request, queryset, service, done: str) -> None:
        for sign_on in queryset:
            try:
                service(sign_on, by=request.user)
            except DomainError as error:
                self.message_user(request, f"{sign_on.agency}: {error}", messages.ERROR)
            else:
                self.message_user(request, f"{sign_on.agency}: {done}", messages.SUCCESS)

    @admin.action(description="Accept the provider's second factor (information-governance lead)")
    def accept_second_factor(self, request, queryset) -> None:
        self._act(
            request,
            queryset,
            single_sign_on.accept_provider_second_factor,
            "provider's second factor accepted",
        )

    @admin.action(description="Withdraw acceptance of the provider's second factor")
    def withdraw_second_factor(self, request, queryset) -> None:
        self._act(request, queryset, single_sign_on.withdraw_provider_second_factor, "acceptance withdrawn")
