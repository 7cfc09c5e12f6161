from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "iomshare.exchange"
    verbose_name = "Exchange"
