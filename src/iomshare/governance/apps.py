from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "iomshare.governance"
    verbose_name = "Governance"
