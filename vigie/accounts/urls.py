from django.urls import path

from vigie.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/otp/", views.otp_view, name="otp"),
    path("login/otp/setup/", views.otp_setup_view, name="otp-setup"),
    path("logout/", views.logout_view, name="logout"),
    path("staff/", views.staff_list, name="staff-list"),
    path("staff/new/", views.staff_create, name="staff-create"),
    path("staff/<int:pk>/", views.staff_detail, name="staff-detail"),
    path("staff/<int:pk>/role/", views.staff_set_role, name="staff-role"),
    path(
        "staff/role-requests/<int:pk>/confirm/",
        views.role_grant_decide,
        {"decision": "confirm"},
        name="role-grant-confirm",
    ),
    path(
        "staff/role-requests/<int:pk>/refuse/",
        views.role_grant_decide,
        {"decision": "refuse"},
        name="role-grant-refuse",
    ),
    path("staff/<int:pk>/undertakings/", views.staff_undertakings, name="staff-undertakings"),
    path("staff/<int:pk>/deactivate/", views.staff_deactivate, name="staff-deactivate"),
    path("staff/<int:pk>/api-keys/", views.apikey_create, name="apikey-create"),
    path("api-keys/<int:pk>/revoke/", views.apikey_revoke, name="apikey-revoke"),
]
