from django.urls import path

from vigie.policy import views

app_name = "policy"

urlpatterns = [
    # Public: the version in force, and every published version at a stable URL (R74).
    path("politique-de-confidentialite/", views.current_fr, name="current"),
    path("politique-de-confidentialite/v<int:number>/", views.version_fr, name="version"),
    path("en/privacy-policy/", views.current_en, name="current-en"),
    path("en/privacy-policy/v<int:number>/", views.version_en, name="version-en"),
    # Back-office.
    path("backoffice/policy/", views.backoffice_list, name="list"),
    path("backoffice/policy/new/", views.backoffice_create, name="create"),
    path("backoffice/policy/diff/", views.backoffice_diff, name="diff"),
    path("backoffice/policy/v<int:number>/", views.backoffice_detail, name="detail"),
    path("backoffice/policy/v<int:number>/publish/", views.backoffice_publish, name="publish"),
]
