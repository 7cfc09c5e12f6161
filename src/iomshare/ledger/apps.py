from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "iomshare.ledger"
    verbose_name = "Disclosure ledger"

    def ready(self) -> None:
        from iomshare.ledger import signals  # noqa: F401 (connects sign-in and admin-change hooks)
