from django.urls import path

from iomshare.ledger import views

app_name = "ledger"
urlpatterns = [
    path("", views.reports_home, name="home"),
    path("<str:kind>/<str:key>/", views.report, name="report"),
    path("<str:kind>/<str:key>/csv", views.report_csv, name="report-csv"),
]
