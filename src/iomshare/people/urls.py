from django.urls import path

from iomshare.people import access_views, cohort_views, views

app_name = "people"
urlpatterns = [
    path("", views.cohort, name="cohort"),
    path("people/<uuid:person_id>/", views.person, name="person"),
    path("people/<uuid:person_id>/access-lists/", access_views.access_list_page, name="access-lists"),
    path(
        "people/<uuid:person_id>/access-lists/<int:entry_id>/remove/",
        access_views.access_list_remove,
        name="access-list-remove",
    ),
    path(
        "people/<uuid:person_id>/access-lists/<int:entry_id>/decide/",
        access_views.access_list_decide,
        name="access-list-decide",
    ),
    path("mine/", cohort_views.my_caseload, name="caseload"),
    path("dashboard/", cohort_views.dashboard, name="dashboard"),
    path("people/<uuid:person_id>/refer/", cohort_views.refer, name="refer"),
    path("referrals/", cohort_views.referrals, name="referrals"),
    path("referrals/<int:referral_id>/", cohort_views.referral, name="referral"),
    path("memberships/<int:membership_id>/", cohort_views.membership, name="membership"),
    path("memberships/<int:membership_id>/leave/", cohort_views.leave, name="leave"),
    path(
        "memberships/<int:membership_id>/key-workers/assign/",
        cohort_views.assign_key_worker,
        name="membership-assign",
    ),
    path(
        "memberships/<int:membership_id>/key-workers/remove/",
        cohort_views.remove_key_worker,
        name="membership-remove",
    ),
    path("memberships/<int:membership_id>/tier/", cohort_views.change_tier, name="membership-tier"),
    path(
        "memberships/<int:membership_id>/review-date/", cohort_views.set_review_date, name="membership-review"
    ),
]
