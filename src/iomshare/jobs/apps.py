from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "iomshare.jobs"
    verbose_name = "Jobs"
