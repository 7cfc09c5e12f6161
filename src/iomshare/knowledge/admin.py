"""Admin for knowledge: profiles and skills by agency; practice notes read-only (their changes are services)."""

from django.contrib import admin

from iomshare.knowledge.models import OrganisationProfile, PracticeNote, Skill


@admin.register(OrganisationProfile)
class OrganisationProfileAdmin(admin.ModelAdmin):
    list_display = ("agency", "reviewed_on")
    readonly_fields = ("reviewed_on", "reviewed_by")


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ("topic", "staff_member", "added_at", "removed_at")
    search_fields = ("topic",)


@admin.register(PracticeNote)
class PracticeNoteAdmin(admin.ModelAdmin):
    list_display = ("title", "agency", "pathway", "written_at")
    list_filter = ("agency",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
