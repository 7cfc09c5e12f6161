from django.apps import AppConfig


class PartnershipConfig(AppConfig):
    name = "iomshare.partnership"
    verbose_name = "Partnership"
