from django.urls import path

from iomshare.service_referrals import views

app_name = "service_referrals"
urlpatterns = [
    path("", views.service_list, name="services"),
    path("referrals/", views.referral_list, name="referrals"),
    path("referrals/<int:service_referral_id>/", views.referral, name="referral"),
    path("referrals/<int:service_referral_id>/decision/", views.decide, name="decide"),
    path("people/<uuid:person_id>/refer/", views.refer, name="refer"),
    path("people/<uuid:person_id>/conversation/", views.record_exchange, name="record-exchange"),
    path("conversations/", views.exchange_list, name="exchanges"),
    path("conversations/<int:exchange_id>/", views.exchange, name="exchange"),
]
