from django.apps import AppConfig


class VocabularyConfig(AppConfig):
    name = "iomshare.vocabulary"
    verbose_name = "Vocabulary"
