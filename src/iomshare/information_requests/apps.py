from django.apps import AppConfig


class InformationRequestsConfig(AppConfig):
    name = "iomshare.information_requests"
    verbose_name = "Requests for information"
