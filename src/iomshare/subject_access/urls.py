from django.urls import path

from iomshare.subject_access import views

app_name = "subject_access"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/<uuid:person_id>/", views.new, name="new"),
    path("<int:request_id>/", views.detail, name="detail"),
    path("<int:request_id>/identity/", views.identity, name="identity"),
    path("<int:request_id>/extend/", views.extend, name="extend"),
    path("<int:request_id>/decisions/", views.review, name="review"),
    path("<int:request_id>/decisions/<uuid:item_id>/", views.decide, name="decide"),
    path("<int:request_id>/assemble/", views.assemble, name="assemble"),
    path("<int:request_id>/pack/", views.pack, name="pack"),
    path("<int:request_id>/pack.pdf", views.pack_download, name="pack-pdf"),
]
