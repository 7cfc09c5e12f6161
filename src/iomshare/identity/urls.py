from django.urls import path

from iomshare.identity import views

app_name = "identity"
urlpatterns = [
    path("", views.review_queue, name="review-queue"),
    path("review/<int:case_id>/", views.review_case, name="review-case"),
    path("attention/<int:case_id>/", views.conflict_case, name="conflict-case"),
    path("attention/<int:case_id>/close/", views.close_conflict, name="close-conflict"),
    path("people/<uuid:person_id>/history/", views.person_history, name="person-history"),
    path("merges/<int:merge_id>/unmerge/", views.unmerge, name="unmerge"),
    path("model/", views.linkage_model, name="model"),
    path("runs/", views.start_linking, name="start-linking"),
    path("runs/<int:run_id>/", views.link_run, name="link-run"),
    path("runs/<int:run_id>/status/", views.link_run_status, name="link-run-status"),
    path("waiting/", views.waiting_queue, name="waiting-queue"),
    path("waiting/<int:record_id>/", views.waiting_record, name="waiting-record"),
]
