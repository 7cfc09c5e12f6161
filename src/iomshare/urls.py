from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from iomshare.exchange.api import api

admin.site.site_header = "iomshare administration"
admin.site.site_title = "iomshare administration"
# /admin/ signs in through the sign-in page, so it has the same lockout and second factor.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]  # allauth's documented way

urlpatterns = [
    path("", include("iomshare.web.urls")),
    path("cohort/", include("iomshare.people.urls")),
    path("records/", include("iomshare.records.urls")),
    path("identity/", include("iomshare.identity.urls")),
    path("protocols/", include("iomshare.protocols.urls")),
    path("vocabulary/", include("iomshare.vocabulary.urls")),
    path("forms/", include("iomshare.forms.urls")),
    path("exchange/", include("iomshare.exchange.urls")),
    path("ledger/", include("iomshare.ledger.urls")),
    path("notifications/", include("iomshare.alerts.urls")),
    path("requests/", include("iomshare.information_requests.urls")),
    path("casework/", include("iomshare.casework.urls")),
    path("services/", include("iomshare.service_referrals.urls")),
    path("knowledge/", include("iomshare.knowledge.urls")),
    path("retention/", include("iomshare.retention.urls")),
    path("subject-access/", include("iomshare.subject_access.urls")),
    path("governance/", include("iomshare.governance.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("", include("iomshare.operations.urls")),
    path("account/", include("iomshare.partnership.urls")),
    path("accounts/", include("allauth.urls")),
]
