from django.urls import path

from iomshare.people import views

app_name = "people"
urlpatterns = [
    path("", views.cohort, name="cohort"),
    path("people/<uuid:person_id>/", views.person, name="person"),
]
