from django.apps import AppConfig


class ServiceReferralsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "iomshare.service_referrals"
    verbose_name = "Referrals to services and informal exchanges"
