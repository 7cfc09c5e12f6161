from django.urls import path

from iomshare.retention import queue_views, views

app_name = "retention"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("reviews/", queue_views.review_queue, name="review-queue"),
    path("reviews/<int:review_id>/", views.review, name="review"),
    path("reviews/<int:review_id>/dispose/", views.dispose, name="dispose"),
    path("holds/", views.holds, name="holds"),
    path("holds/new/", views.place_hold, name="place-hold"),
    path("holds/<int:hold_id>/lift/", views.lift_hold, name="lift-hold"),
    path("accuracy/", queue_views.stale_items, name="stale-items"),
    path("schedules/", views.schedules, name="schedules"),
    path("schedules/<slug:category_code>/", views.edit_schedule, name="edit-schedule"),
    path("schedules/<slug:category_code>/default/", views.use_default_schedule, name="use-default-schedule"),
    path("items/<uuid:item_id>/restriction/", views.restriction, name="restriction"),
    path("items/<uuid:item_id>/restriction/lift/", views.lift_restriction, name="lift-restriction"),
]
