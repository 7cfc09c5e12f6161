from django.apps import AppConfig


class PartnershipConfig(AppConfig):
    name = "iomshare.partnership"
    verbose_name = "Partnership"

    def ready(self) -> None:
        from iomshare.partnership import sign_in_hooks  # noqa: F401 (connects lockout, sessions and factor hooks)
