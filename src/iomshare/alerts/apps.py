from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "iomshare.alerts"
    verbose_name = "Alerts"
