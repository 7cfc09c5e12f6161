from django.apps import AppConfig


class FormsConfig(AppConfig):
    name = "iomshare.forms"
    label = "forms"
    verbose_name = "Standard forms"
