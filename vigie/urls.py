from django.urls import include, path, re_path

from vigie.api import api, api_not_found

urlpatterns = [
    path("", include("vigie.web.urls")),
    path("backoffice/", include("vigie.accounts.urls")),
    path("backoffice/audit/", include("vigie.web.audit_urls")),
    path("backoffice/register/", include("vigie.register.urls")),
    path("backoffice/people/", include("vigie.people.urls")),
    path("backoffice/sources/", include("vigie.sources.urls")),
    path("backoffice/outbox/", include("vigie.mail.urls")),
    path("backoffice/disclosures/", include("vigie.disclosures.urls")),
    path("backoffice/rights/", include("vigie.rights.backoffice_urls")),
    path("", include("vigie.policy.urls")),
    path("", include("vigie.consent.urls")),
    path("", include("vigie.rights.urls")),
    # The API root would be ninja's HTML 404 (docs are off): answer in the API's format.
    path("api/v1/", api_not_found, name="api-home"),
    path("api/v1/", api.urls),
    re_path(r"^api/v1/(?P<rest>.*)$", api_not_found),
]

handler403 = "vigie.web.views.error_403"
handler404 = "vigie.web.views.error_404"
handler500 = "vigie.web.views.error_500"
