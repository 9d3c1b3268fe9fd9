from django.urls import path

from vigie.disclosures import views

app_name = "disclosures"

urlpatterns = [
    path("import/", views.upload, name="import"),
    path("<uuid:pk>/record/", views.record, name="record"),
    path("<uuid:pk>/export/", views.export, name="export"),
]
