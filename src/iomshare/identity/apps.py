from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "iomshare.identity"
    verbose_name = "Identity resolution"
