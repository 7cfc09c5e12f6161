"""Admin for services offered; referrals and exchanges are read-only here (their changes are services)."""

from django.contrib import admin

from iomshare.service_referrals.models import InformalExchange, ServiceOffer, ServiceReferral


@admin.register(ServiceOffer)
class ServiceOfferAdmin(admin.ModelAdmin):
    list_display = ("name", "agency", "kind", "purpose", "contact", "is_open")
    list_filter = ("kind", "is_open", "agency")
    search_fields = ("name",)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shows ids, agencies and states only: the person's name and free text stay on the pages that
    ask who may know the person (invariant 10)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ServiceReferral)
class ServiceReferralAdmin(ReadOnlyAdmin):
    list_display = ("number", "service", "referring_agency", "receiving_agency", "status", "sent_at")
    list_filter = ("status",)
    fields = list_display


@admin.register(InformalExchange)
class InformalExchangeAdmin(ReadOnlyAdmin):
    list_display = ("pk", "recording_agency", "other_agency", "channel", "happened_on")
    fields = list_display
