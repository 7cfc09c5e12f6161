from django.apps import AppConfig


class ProtocolsConfig(AppConfig):
    name = "iomshare.protocols"
    label = "protocols"
    verbose_name = "Information sharing protocols"
