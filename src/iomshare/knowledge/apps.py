from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "iomshare.knowledge"
    verbose_name = "Organisation profiles, skills and practice notes"
