from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "iomshare.retention"
    verbose_name = "Retention"
