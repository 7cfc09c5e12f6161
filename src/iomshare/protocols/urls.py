from django.urls import path

from iomshare.protocols import consent_views, views

app_name = "protocols"
urlpatterns = [
    path("", views.protocol_list, name="list"),
    path("import/", views.protocol_import, name="import"),
    path("<int:protocol_id>/", views.protocol_detail, name="detail"),
    path("<int:protocol_id>/print/", views.protocol_print, name="print"),
    path("<int:protocol_id>/export.yaml", views.protocol_export, name="export"),
    path("<int:protocol_id>/simulate/", views.protocol_simulate, name="simulate"),
    path("<int:protocol_id>/<slug:action>/", views.protocol_action, name="action"),
    path("consent/<uuid:person_id>/", consent_views.consent_page, name="consent"),
    path(
        "consent/<uuid:person_id>/<int:consent_id>/withdraw/",
        consent_views.consent_withdraw,
        name="consent-withdraw",
    ),
    path("consent/<uuid:person_id>/override/", consent_views.consent_override, name="consent-override"),
]
