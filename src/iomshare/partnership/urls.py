from django.urls import path

from iomshare.partnership import agency_views, training_views, views

app_name = "partnership"
urlpatterns = [
    path("", views.account, name="account"),
    path("session/", views.session_status, name="session-status"),
    path("second-factor/", views.set_up_second_factor, name="set-up-second-factor"),
    path("sign-out-everywhere/", views.sign_out_everywhere, name="sign-out-everywhere"),
    path("training/", training_views.expiry_list, name="training-expiry"),
    path("training/<int:staff_id>/", training_views.record_renewal, name="training-renewal"),
    path("staff/<int:staff_id>/reset-second-factor/", views.reset_second_factor, name="reset-second-factor"),
    path("agencies/", agency_views.agency_list, name="agencies"),
    path("agencies/new/", agency_views.add_agency, name="add-agency"),
    path("agencies/<slug:code>/", agency_views.change_agency, name="change-agency"),
]
