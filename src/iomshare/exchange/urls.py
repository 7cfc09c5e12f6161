from django.urls import path

from iomshare.exchange import views

app_name = "exchange"
urlpatterns = [
    path("imports/", views.upload, name="imports"),
    path("imports/<uuid:run_id>/", views.run_page, name="import-run"),
    path("imports/<uuid:run_id>/status/", views.run_status, name="import-run-status"),
    path("imports/<uuid:run_id>/import/", views.commit, name="import-commit"),
    path("imports/<uuid:run_id>/restart/", views.restart, name="import-restart"),
    path("imports/<uuid:run_id>/rejected-rows.csv", views.rejects, name="import-rejects"),
    path("exports/", views.extracts, name="extracts"),
    path("people/<uuid:person_id>/export/", views.export_person_page, name="export-person-page"),
    path("people/<uuid:person_id>/export.<str:file_format>", views.export_person, name="export-person"),
]
