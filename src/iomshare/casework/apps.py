from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "iomshare.casework"
    verbose_name = "Casework: actions and multi-agency meetings"
