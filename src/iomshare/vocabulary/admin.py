from django.contrib import admin

from iomshare.vocabulary.models import Concept, LocalTerm, Scheme, Synonym


@admin.register(Scheme)
class SchemeAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


class SynonymInline(admin.TabularInline):
    model = Synonym
    extra = 0


@admin.register(Concept)
class ConceptAdmin(admin.ModelAdmin):
    list_display = ["preferred_term", "code", "scheme", "position"]
    list_filter = ["scheme"]
    search_fields = ["preferred_term", "code", "definition", "synonyms__term"]
    inlines = [SynonymInline]


@admin.register(LocalTerm)
class LocalTermAdmin(admin.ModelAdmin):
    list_display = ["local_code", "local_label", "agency", "scheme", "concept"]
    list_filter = ["agency", "scheme"]
    search_fields = ["local_code", "local_label", "concept__preferred_term"]
