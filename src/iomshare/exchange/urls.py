from django.urls import path

from iomshare.exchange import cohort_views, views

app_name = "exchange"
urlpatterns = [
    path("imports/", views.upload, name="imports"),
    path("cohort-changes/", cohort_views.cohort_changes, name="cohort-changes"),
    path("imports/<uuid:run_id>/", views.run_page, name="import-run"),
    path("imports/<uuid:run_id>/status/", views.run_status, name="import-run-status"),
    path("imports/<uuid:run_id>/import/", views.commit, name="import-commit"),
    path("imports/<uuid:run_id>/restart/", views.restart, name="import-restart"),
    path("imports/<uuid:run_id>/rejected-rows.csv", views.rejects, name="import-rejects"),
    path("exports/", views.extracts, name="extracts"),
    path("exports/<uuid:extract_id>/", views.extract_run_page, name="extract-run"),
    path("exports/<uuid:extract_id>/status/", views.extract_run_status, name="extract-run-status"),
    path("exports/<uuid:extract_id>/restart/", views.extract_restart, name="extract-restart"),
    path("exports/<uuid:extract_id>/download/", views.extract_download, name="extract-download"),
    path("people/<uuid:person_id>/export/", views.export_person_page, name="export-person-page"),
    path("people/<uuid:person_id>/export.<str:file_format>", views.export_person, name="export-person"),
]
