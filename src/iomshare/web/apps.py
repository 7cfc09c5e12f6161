from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "iomshare.web"
    verbose_name = "Web shell"
