from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "iomshare.people"
    verbose_name = "People"
