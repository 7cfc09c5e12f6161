from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "iomshare.alerts"
    verbose_name = "Alerts"

    def ready(self) -> None:
        from iomshare.alerts.receivers import write_cohort_event
        from iomshare.people.signals import cohort_changed

        cohort_changed.connect(write_cohort_event, dispatch_uid="alerts.cohort_event")
