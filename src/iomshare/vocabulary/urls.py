from django.urls import path

from iomshare.vocabulary import views

app_name = "vocabulary"
urlpatterns = [
    path("", views.index, name="index"),
    path("conflicts/", views.conflicts, name="conflicts"),
    path("<slug:scheme>/", views.scheme, name="scheme"),
    path("<slug:scheme>/<slug:code>/", views.concept, name="concept"),
]
