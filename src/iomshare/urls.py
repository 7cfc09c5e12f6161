from django.contrib import admin
from django.urls import include, path

from iomshare.exchange.api import api

admin.site.site_header = "iomshare administration"
admin.site.site_title = "iomshare administration"

urlpatterns = [
    path("", include("iomshare.web.urls")),
    path("cohort/", include("iomshare.people.urls")),
    path("records/", include("iomshare.records.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
