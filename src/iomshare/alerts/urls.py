from django.urls import path

from iomshare.alerts import views

app_name = "alerts"
urlpatterns = [
    path("", views.notifications, name="notifications"),
    path("mark-all-read/", views.mark_all_read, name="mark-all-read"),
    path("<int:notification_id>/open/", views.open_notification, name="open"),
    path("follow/<uuid:person_id>/", views.follow, name="follow"),
    path("settings/", views.preferences, name="preferences"),
    path("webhooks/", views.webhook_log, name="webhook-log"),
    path("webhooks/<int:delivery_id>/replay/", views.webhook_replay, name="webhook-replay"),
]
