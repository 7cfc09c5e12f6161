from django.urls import path

from iomshare.information_requests import views

app_name = "information_requests"
urlpatterns = [
    path("", views.my_requests, name="mine"),
    path("new/", views.new_request, name="new"),
    path("to-my-agency/", views.queue, name="queue"),
    path("gap-report/", views.gap_report, name="gap-report"),
    path("gap-report.csv", views.gap_report_csv, name="gap-report-csv"),
    path("<int:request_id>/", views.request_detail, name="detail"),
    path("<int:request_id>/approve/", views.approve, name="approve"),
    path("<int:request_id>/refuse/", views.refuse, name="refuse"),
    path("<int:request_id>/withdraw/", views.withdraw, name="withdraw"),
]
