from django.contrib import admin

from iomshare.forms.models import FormDefinition


@admin.register(FormDefinition)
class FormDefinitionAdmin(admin.ModelAdmin):
    list_display = ["title", "code", "version", "category", "is_assessment", "published_at"]
    list_filter = ["category", "is_assessment"]
    search_fields = ["title", "code"]
    readonly_fields = ["code", "version", "definition", "published_at", "published_by"]
