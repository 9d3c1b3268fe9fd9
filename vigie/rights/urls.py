from django.urls import path

from vigie.rights import access_views, identity_views, portability_views, portal_views, views

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
    # The public request form (R46), in French and in English.
    path("droits/demande/", portal_views.request_fr, name="request"),
    path("en/rights/request/", portal_views.request_en, name="request-en"),
    # The personal space (issue 13 item 6).
    path("droits/espace/", portal_views.space_home, name="space"),
    path("droits/espace/connexion/", portal_views.space_sign_in, name="space-sign-in"),
    path("droits/espace/entrer/<str:token>", portal_views.space_enter, name="space-enter"),
    path("droits/espace/telephone/", portal_views.space_phone, name="space-phone"),
    path("droits/espace/coordonnees/", portal_views.space_details, name="space-details"),
    path("droits/espace/adresse/", portal_views.space_email, name="space-email-change"),
    path(
        "droits/espace/adresse/<str:token>",
        portal_views.space_email_confirm,
        name="space-email",
    ),
    path("droits/espace/demande/", portal_views.space_request, name="space-request"),
    path("droits/espace/directives/", portal_views.space_directive, name="space-directive"),
    path("droits/espace/deconnexion/", portal_views.space_sign_out, name="space-sign-out"),
    # The access package (R50, R51): from the space, and by the signed link.
    path("droits/espace/acces/", access_views.space_download, name="space-access"),
    path("droits/acces/<str:token>", access_views.package_page, name="access-package"),
    # Portability (R58): the person's downloads, and the receiving controller's link.
    path(
        "droits/espace/portabilite/<uuid:export_id>/lien/",
        portability_views.space_link,
        name="space-portability-link",
    ),
    path(
        "droits/espace/portabilite/<uuid:export_id>/<str:fmt>",
        portability_views.space_download,
        name="space-portability",
    ),
    path(
        "droits/portabilite/<str:token>",
        portability_views.receive,
        name="portability-receive",
    ),
]
