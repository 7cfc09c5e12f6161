from django.urls import path

from iomshare.forms import views

app_name = "forms"
urlpatterns = [
    path("", views.index, name="index"),
    path("publish/", views.publish, name="publish"),
    path("definitions/<slug:code>/", views.definition, name="definition"),
    path("definitions/<slug:code>/v<int:version>/", views.definition, name="definition-version"),
    path("people/<uuid:person_id>/", views.choose, name="choose"),
    path("people/<uuid:person_id>/<slug:code>/", views.fill, name="fill"),
    path("people/<uuid:person_id>/<slug:code>/check/", views.check, name="check"),
]
