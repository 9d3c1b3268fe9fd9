from django.urls import URLPattern, path

from vigie.consent import views

app_name = "consent"

urlpatterns: list[URLPattern] = [
    # Public: e-mail links (signed tokens, no login) and the sign-up.
    path("u/<str:token>", views.unsubscribe, name="unsubscribe"),
    path("preferences/<str:token>", views.preference_centre, name="preferences"),
    path("newsletter/", views.signup, name="signup"),
    path("newsletter/confirm/<str:token>", views.confirm, name="confirm"),
    # Back-office.
    path("backoffice/consent/", views.search, name="search"),
    path("backoffice/consent/import/", views.import_file, name="import"),
    path("backoffice/consent/import/<str:job_id>/", views.import_job, name="import-job"),
    path("backoffice/consent/segments/", views.segment_list, name="segments"),
    path("backoffice/consent/suppression/", views.suppression_list, name="suppression"),
    path("backoffice/consent/people/<str:person_id>/", views.proof, name="proof"),
    path(
        "backoffice/consent/people/<str:person_id>/proof.json",
        views.proof_export,
        name="proof-export",
    ),
    path("backoffice/consent/people/<str:person_id>/record/", views.record, name="record"),
]
