from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "iomshare.operations"
    verbose_name = "Operations"
