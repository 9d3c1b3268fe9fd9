from django.urls import path

from vigie.rights import identity_views, views

app_name = "rights"

urlpatterns = [
    path("droits/confirmer/<str:token>", views.confirm, name="confirm"),
    # Identity documents of a case (R48): the last resort, the privacy lead's.
    path(
        "backoffice/rights/<str:case_id>/identity/",
        identity_views.identity_page,
        name="identity",
    ),
    path(
        "backoffice/rights/<str:case_id>/identity/upload/",
        identity_views.upload,
        name="identity-upload",
    ),
    path(
        "backoffice/rights/<str:case_id>/identity/ask/",
        identity_views.ask,
        name="identity-ask",
    ),
    path(
        "backoffice/rights/<str:case_id>/identity/<str:document_id>/verify/",
        identity_views.verify,
        name="identity-verify",
    ),
    path(
        "backoffice/rights/<str:case_id>/identity/<str:document_id>/file",
        identity_views.download,
        name="identity-download",
    ),
]
