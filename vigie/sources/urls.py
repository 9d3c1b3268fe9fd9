from django.urls import URLPattern, path

from vigie.sources import views

app_name = "sources"

urlpatterns: list[URLPattern] = [
    path("", views.data_map, name="map"),
    path("people/<uuid:pk>/", views.person_sources, name="person"),
]
