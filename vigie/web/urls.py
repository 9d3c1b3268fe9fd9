from django.urls import path

from vigie.web import views

app_name = "web"

urlpatterns = [
    path("", views.portal_home, name="portal-home"),
    path("mes-preferences/", views.preferences_link, name="preferences-link"),
    path("healthz", views.health, name="health"),
    path("backoffice/", views.backoffice_home, name="backoffice-home"),
]
