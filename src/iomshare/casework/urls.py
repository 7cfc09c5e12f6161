from django.urls import path

from iomshare.casework import meeting_views, views

app_name = "casework"
urlpatterns = [
    path("actions/", views.my_actions, name="mine"),
    path("actions/overdue/", views.overdue, name="overdue"),
    path("actions/<int:action_id>/", views.action, name="action"),
    path("actions/<int:action_id>/change/", views.replan_action, name="replan"),
    path("people/<uuid:person_id>/actions/new/", views.raise_action, name="raise"),
    path("meetings/", meeting_views.meetings_list, name="meetings"),
    path("meetings/new/", meeting_views.new_meeting, name="new-meeting"),
    path("meetings/<int:meeting_id>/", meeting_views.meeting, name="meeting"),
    path("meetings/<int:meeting_id>/people/<uuid:person_id>/", meeting_views.pack, name="pack"),
    path(
        "meetings/<int:meeting_id>/people/<uuid:person_id>/minutes/",
        meeting_views.record_minutes,
        name="pack-minutes",
    ),
    path(
        "meetings/<int:meeting_id>/people/<uuid:person_id>/actions/new/",
        meeting_views.raise_meeting_action,
        name="pack-action",
    ),
]
