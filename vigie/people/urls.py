from django.urls import path

from vigie.people import views

app_name = "people"

urlpatterns = [
    path("", views.person_list, name="list"),
    path("<uuid:pk>/", views.person_detail, name="detail"),
]
