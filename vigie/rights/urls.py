from django.urls import path

from vigie.rights import portal_views, views

app_name = "rights"

urlpatterns = [
    path("droits/confirmer/<str:token>", views.confirm, name="confirm"),
    # The public request form (R46), in French and in English.
    path("droits/demande/", portal_views.request_fr, name="request"),
    path("en/rights/request/", portal_views.request_en, name="request-en"),
    # The personal space (issue 13 item 6).
    path("droits/espace/", portal_views.space_home, name="space"),
    path("droits/espace/connexion/", portal_views.space_sign_in, name="space-sign-in"),
    path("droits/espace/entrer/<str:token>", portal_views.space_enter, name="space-enter"),
    path("droits/espace/telephone/", portal_views.space_phone, name="space-phone"),
    path("droits/espace/adresse/", portal_views.space_email, name="space-email-change"),
    path(
        "droits/espace/adresse/<str:token>",
        portal_views.space_email_confirm,
        name="space-email",
    ),
    path("droits/espace/demande/", portal_views.space_request, name="space-request"),
    path("droits/espace/directives/", portal_views.space_directive, name="space-directive"),
    path("droits/espace/deconnexion/", portal_views.space_sign_out, name="space-sign-out"),
]
