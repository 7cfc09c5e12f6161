from django.urls import path

from iomshare.ledger import views

app_name = "ledger"
urlpatterns = [
    path("", views.reports_home, name="home"),
    path("people/<uuid:person_id>/subject-access/", views.subject_access, name="subject-access"),
    path(
        "people/<uuid:person_id>/subject-access.json", views.subject_access_json, name="subject-access-json"
    ),
    path("<str:kind>/<str:key>/", views.report, name="report"),
    path("<str:kind>/<str:key>/csv", views.report_csv, name="report-csv"),
]
