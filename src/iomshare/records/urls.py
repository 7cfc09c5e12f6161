from django.urls import path

from iomshare.records import views

app_name = "records"
urlpatterns = [
    path("people/<uuid:person_id>/record/", views.record_item, name="record-item"),
    path("items/<uuid:item_id>/change/", views.change_item, name="change-item"),
    path("items/<uuid:item_id>/withdraw/", views.withdraw_item, name="withdraw-item"),
]
