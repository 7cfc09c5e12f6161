from django.urls import path

from iomshare.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", views.SignIn.as_view(), name="sign-in"),
    path("sign-out/", views.sign_out, name="sign-out"),
    path("governance/", views.governance, name="governance"),
    path("contacts/", views.contacts, name="contacts"),
]
