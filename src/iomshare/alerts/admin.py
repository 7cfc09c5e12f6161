from django.contrib import admin

from iomshare.alerts.models import (
    CohortEvent,
    EventSignal,
    Notification,
    Subscription,
    WebhookDelivery,
    WebhookEndpoint,
)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["recipient", "created_at", "read_at", "kind", "message"]
    list_filter = ["read_at", "kind"]
    search_fields = ["recipient__username", "message"]
    readonly_fields = ["recipient", "created_at", "message", "link", "event", "kind"]


@admin.register(EventSignal)
class EventSignalAdmin(admin.ModelAdmin):
    """The partnership's configuration of which items are which cohort events."""

    list_display = ["category_code", "answer_field", "concept_code", "kind", "is_urgent"]
    list_filter = ["kind", "is_urgent"]


@admin.register(CohortEvent)
class CohortEventAdmin(admin.ModelAdmin):
    list_display = ["pk", "kind", "occurred_at", "source_agency", "is_urgent", "fanned_out_at"]
    list_filter = ["kind", "is_urgent"]
    readonly_fields = [f.name for f in CohortEvent._meta.fields]


admin.site.register(Subscription)


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["agency", "url", "is_active", "rotated_at"]
    exclude = ["secret", "previous_secret"]  # never shown again; rotate from the service


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["message_id", "endpoint", "status", "attempts", "last_response_status", "next_attempt_at"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]
