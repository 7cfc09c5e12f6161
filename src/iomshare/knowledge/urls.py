from django.urls import path

from iomshare.knowledge import views

app_name = "knowledge"
urlpatterns = [
    path("", views.organisations, name="organisations"),
    path("organisations/<slug:code>/", views.organisation, name="organisation"),
    path("organisations/<slug:code>/change/", views.edit_organisation, name="edit-organisation"),
    path("skills/", views.skills, name="skills"),
    path("skills/<int:skill_id>/remove/", views.remove_skill, name="remove-skill"),
    path("practice-notes/", views.notes, name="notes"),
    path("practice-notes/new/", views.write_note, name="write-note"),
    path("practice-notes/<int:note_id>/useful/", views.mark_useful, name="mark-useful"),
    path("practice-notes/<int:note_id>/meeting/", views.link_from_meeting, name="link-from-meeting"),
]
