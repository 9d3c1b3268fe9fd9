from django.urls import path

from vigie.register import views

app_name = "register"

urlpatterns = [
    path("", views.home, name="home"),
    path("export/", views.export, name="export"),
    path("revisions/<int:number>/", views.revision_detail, name="revision"),
    path("categories/<slug:key>/retention/", views.edit_retention, name="edit-retention"),
    path("<slug:section>/<slug:key>/", views.edit_entry, name="edit-entry"),
]
