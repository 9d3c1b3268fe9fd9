from django.urls import path

from vigie.mail import views

app_name = "mail"

urlpatterns = [
    path("", views.outbox, name="outbox"),
    path("<uuid:pk>/retry/", views.retry, name="retry"),
]
