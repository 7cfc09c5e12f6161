from django.apps import AppConfig


class SubjectAccessConfig(AppConfig):
    name = "iomshare.subject_access"
    verbose_name = "Subject access requests"
