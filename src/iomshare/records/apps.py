from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "iomshare.records"
    verbose_name = "Records"
