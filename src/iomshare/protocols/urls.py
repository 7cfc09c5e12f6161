from django.urls import path

from iomshare.protocols import acknowledgement_views, consent_views, editor_views, views

app_name = "protocols"
urlpatterns = [
    path("", views.protocol_list, name="list"),
    path("import/", views.protocol_import, name="import"),
    path("to-read/", acknowledgement_views.to_read, name="to-read"),
    path("read-by-staff/", acknowledgement_views.agency_acknowledgements, name="read-by-staff"),
    path("<int:protocol_id>/acknowledge/", acknowledgement_views.acknowledge, name="acknowledge"),
    path("<int:protocol_id>/", views.protocol_detail, name="detail"),
    path("<int:protocol_id>/print/", views.protocol_print, name="print"),
    path("<int:protocol_id>/export.yaml", views.protocol_export, name="export"),
    path("<int:protocol_id>/simulate/", views.protocol_simulate, name="simulate"),
    path("<int:protocol_id>/changes/", editor_views.changes, name="changes"),
    path("<int:protocol_id>/edit/details/", editor_views.edit_details, name="edit-details"),
    path("<int:protocol_id>/edit/clauses/add/", editor_views.add_clause, name="add-clause"),
    path("<int:protocol_id>/edit/clauses/<int:clause_number>/", editor_views.edit_clause, name="edit-clause"),
    path(
        "<int:protocol_id>/edit/clauses/<int:clause_number>/remove/",
        editor_views.remove_clause,
        name="remove-clause",
    ),
    path("<int:protocol_id>/ask-for-changes/", editor_views.ask_for_changes, name="ask-for-changes"),
    path("<int:protocol_id>/<slug:action>/", views.protocol_action, name="action"),
    path("consent/<uuid:person_id>/", consent_views.consent_page, name="consent"),
    path(
        "consent/<uuid:person_id>/<int:consent_id>/withdraw/",
        consent_views.consent_withdraw,
        name="consent-withdraw",
    ),
    path("consent/<uuid:person_id>/override/", consent_views.consent_override, name="consent-override"),
]
