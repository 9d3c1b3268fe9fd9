from django.urls import path

from vigie.rights import views

app_name = "rights"

urlpatterns = [
    path("droits/confirmer/<str:token>", views.confirm, name="confirm"),
]
