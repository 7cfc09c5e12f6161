from django.urls import path

from iomshare.people import access_views, views

app_name = "people"
urlpatterns = [
    path("", views.cohort, name="cohort"),
    path("people/<uuid:person_id>/", views.person, name="person"),
    path("people/<uuid:person_id>/access-lists/", access_views.access_list_page, name="access-lists"),
    path(
        "people/<uuid:person_id>/access-lists/<int:entry_id>/remove/",
        access_views.access_list_remove,
        name="access-list-remove",
    ),
    path(
        "people/<uuid:person_id>/access-lists/<int:entry_id>/decide/",
        access_views.access_list_decide,
        name="access-list-decide",
    ),
]
