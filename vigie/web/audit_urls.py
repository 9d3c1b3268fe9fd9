from django.urls import path

from vigie.web import audit_views as views

app_name = "audit"

urlpatterns = [
    path("", views.log_view, name="log"),
    path("verify/", views.verify_view, name="verify"),
]
