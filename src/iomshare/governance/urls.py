from django.urls import path

from iomshare.governance import views

app_name = "governance"
urlpatterns = [
    path("health-check/", views.health_check, name="health-check"),
    path("health-check.csv", views.health_check_csv, name="health-check-csv"),
    path("health-check.pdf", views.health_check_pdf, name="health-check-pdf"),
]
