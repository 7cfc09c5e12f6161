from django.contrib import admin

from iomshare.alerts.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["recipient", "created_at", "read_at", "message"]
    list_filter = ["read_at"]
    search_fields = ["recipient__username", "message"]
    readonly_fields = ["recipient", "created_at", "message", "link"]
