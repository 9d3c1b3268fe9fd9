"""Sign-in with a second factor, and the back-office pages that manage staff accounts."""

from __future__ import annotations

import base64
from io import BytesIO

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import LoginView
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token

from vigie.accounts import forms, services
from vigie.accounts.access import authenticated, public, requires
from vigie.accounts.models import ApiKey, GrantStatus, RoleGrant, User
from vigie.accounts.permissions import Permission
from vigie.accounts.ratelimit import limited_elsewhere
from vigie.audit.actor import Actor
from vigie.audit.services import ObjectRef, record_read

login_view = public(
    # Failed sign-ins are limited per username and IP by django-axes (AXES_* settings).
    limited_elsewhere("django-axes")(
        LoginView.as_view(template_name="accounts/login.html", redirect_authenticated_user=True)
    )
)


def safe_next(request: HttpRequest) -> str:
    """Where to go after sign-in: the ``next`` page if it is on this site, else home."""
    target = request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if target and allowed else reverse("web:backoffice-home")


@authenticated
def otp_view(request: HttpRequest) -> HttpResponse:
    """Second step of sign-in: the TOTP code (R27), or its set-up on first use."""
    user = request.user
    if user.is_verified():  # type: ignore[union-attr]
        return redirect("web:backoffice-home")
    if not services.has_confirmed_totp(user):  # type: ignore[arg-type]
        return redirect("accounts:otp-setup")
    form = forms.TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            return redirect(safe_next(request))
        form.add_error("token", _("This code is not valid."))
    return render(request, "accounts/otp.html", {"form": form})


@authenticated
def otp_setup_view(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    # Once a device is confirmed, a password alone must never add another one.
    if services.has_confirmed_totp(user):
        return redirect("accounts:otp")
    device = services.start_totp_enrolment(user)
    form = forms.TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.confirm_totp_enrolment(
                Actor.from_request(request), user, form.cleaned_data["token"]
            )
        except services.AccountError as error:
            form.add_error("token", str(error))
        else:
            otp_login(request, device)
            messages.success(request, _("Your second factor is set up."))
            return redirect("web:backoffice-home")
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    buffer = BytesIO()
    image.save(buffer)
    context = {
        "form": form,
        "qr_data_uri": "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode(),
        "secret": base64.b32encode(device.bin_key).decode(),
    }
    return render(request, "accounts/otp_setup.html", context)


@require_POST
@authenticated
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("accounts:login")


@requires(Permission.ACCOUNTS_USER_VIEW)
def staff_list(request: HttpRequest) -> HttpResponse:
    users = list(User.objects.order_by("username")[:200])
    # Roles asked for and awaiting a second person (issue 11): shown to everyone who
    # sees the list, confirmed by a privacy lead or another administrator.
    grants = services.pending_grants()
    record_read(
        Actor.from_request(request),
        ObjectRef("accounts.user"),
        view="accounts:staff-list",
        extra={"ids": [u.pk for u in users]},
    )
    context = {"users": users, "grants": grants, "me": request.user.pk}
    return render(request, "accounts/staff_list.html", context)


@requires(Permission.ACCOUNTS_USER_VIEW)
def staff_detail(request: HttpRequest, pk: int) -> HttpResponse:
    staff = get_object_or_404(User, pk=pk)
    return _render_detail(request, staff)


def _render_detail(
    request: HttpRequest, staff: User, *, new_key: str | None = None, status: int = 200, **forms_
) -> HttpResponse:
    # Every rendering shows the person's data, error re-renders included (R29).
    record_read(Actor.from_request(request), staff, view="accounts:staff-detail")
    context = {
        "staff": staff,
        "api_keys": staff.api_keys.order_by("-created_at"),
        "role_form": forms_.get("role_form") or forms.RoleForm(initial={"role": staff.role}),
        "undertakings_form": forms_.get("undertakings_form")
        or forms.UndertakingsForm(
            initial={
                "confidentiality_signed_at": staff.confidentiality_signed_at,
                "gdpr_training_at": staff.gdpr_training_at,
            }
        ),
        "apikey_form": forms_.get("apikey_form") or forms.ApiKeyForm(),
        "pending_grant": staff.role_grants.filter(status=GrantStatus.PENDING).first(),
        "own_account": staff.pk == request.user.pk,
        "new_key": new_key,
        "can_manage": request.user.has_vigie_permission(Permission.ACCOUNTS_USER_MANAGE),  # type: ignore[union-attr]
        "can_manage_keys": request.user.has_vigie_permission(Permission.ACCOUNTS_APIKEY_MANAGE),  # type: ignore[union-attr]
    }
    return render(request, "accounts/staff_detail.html", context, status=status)


@requires(Permission.ACCOUNTS_USER_MANAGE)
def staff_create(request: HttpRequest) -> HttpResponse:
    form = forms.StaffCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        role = data.pop("role")
        actor = Actor.from_request(request)
        try:
            with transaction.atomic():
                # The account is created without a role; a role that reaches personal
                # data then waits for a second person, like any role change.
                staff = services.create_staff(actor, **data)
                grant = services.request_role(actor, staff, role) if role else None
        except services.AccountError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Account created."))
            if grant is not None:
                messages.info(request, _GRANT_PENDING)
            return redirect("accounts:staff-detail", pk=staff.pk)
    status = 400 if form.errors else 200
    return render(request, "accounts/staff_create.html", {"form": form}, status=status)


@require_POST
@requires(Permission.ACCOUNTS_USER_MANAGE)
def staff_set_role(request: HttpRequest, pk: int) -> HttpResponse:
    staff = get_object_or_404(User, pk=pk)
    if staff.pk == request.user.pk:
        # Nobody changes their own role (issue 11): refused before anything is read.
        raise PermissionDenied("own role")
    form = forms.RoleForm(request.POST)
    if form.is_valid():
        try:
            grant = services.request_role(
                Actor.from_request(request), staff, form.cleaned_data["role"]
            )
        except services.AccountError as error:
            form.add_error("role", str(error))
        else:
            if grant is None:
                messages.success(request, _("Role changed."))
            else:
                messages.info(request, _GRANT_PENDING)
            return redirect("accounts:staff-detail", pk=staff.pk)
    return _render_detail(request, staff, role_form=form, status=400)


_GRANT_PENDING = gettext_lazy(
    "This role reaches personal data: it is given once a privacy lead or another "
    "administrator confirms it on the staff page."
)


@require_POST
@requires(Permission.ACCOUNTS_ROLE_CONFIRM)
def role_grant_decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    """A second person confirms or refuses a role asked for (issue 11)."""
    grant = get_object_or_404(RoleGrant, pk=pk)
    actor = Actor.from_request(request)
    try:
        if decision == "confirm":
            services.confirm_role(actor, grant)
            messages.success(request, _("Role confirmed: the account has it now."))
        else:
            services.refuse_role(actor, grant)
            messages.success(request, _("Request refused: the role was not given."))
    except services.OwnRoleChange:
        raise PermissionDenied("own role") from None
    except services.AccountError as error:
        messages.error(request, str(error))
    return redirect("accounts:staff-list")


@require_POST
@requires(Permission.ACCOUNTS_USER_MANAGE)
def staff_undertakings(request: HttpRequest, pk: int) -> HttpResponse:
    staff = get_object_or_404(User, pk=pk)
    form = forms.UndertakingsForm(request.POST)
    if form.is_valid():
        try:
            services.record_undertakings(Actor.from_request(request), staff, **form.cleaned_data)
        except services.AccountError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Dates recorded."))
            return redirect("accounts:staff-detail", pk=staff.pk)
    return _render_detail(request, staff, undertakings_form=form, status=400)


@require_POST
@requires(Permission.ACCOUNTS_USER_MANAGE)
def staff_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    staff = get_object_or_404(User, pk=pk)
    if staff.pk == request.user.pk:
        messages.error(request, _("You cannot deactivate your own account."))
    else:
        services.deactivate_user(Actor.from_request(request), staff)
        messages.success(request, _("Account deactivated: sessions ended, API keys revoked."))
    return redirect("accounts:staff-detail", pk=staff.pk)


@require_POST
@requires(Permission.ACCOUNTS_APIKEY_MANAGE)
def apikey_create(request: HttpRequest, pk: int) -> HttpResponse:
    staff = get_object_or_404(User, pk=pk)
    # A key for someone else's account is an account-management act.
    if staff.pk != request.user.pk and not request.user.has_vigie_permission(  # type: ignore[union-attr]
        Permission.ACCOUNTS_USER_MANAGE
    ):
        raise PermissionDenied(Permission.ACCOUNTS_USER_MANAGE.value)
    form = forms.ApiKeyForm(request.POST)
    if form.is_valid():
        try:
            _key, plaintext = services.create_api_key(
                Actor.from_request(request),
                staff,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
            )
        except services.AccountError as error:
            form.add_error(None, str(error))
        else:
            # Shown once, in this response only; never stored in clear.
            return _render_detail(request, staff, new_key=plaintext)
    return _render_detail(request, staff, apikey_form=form, status=400)


@require_POST
@requires(Permission.ACCOUNTS_APIKEY_MANAGE)
def apikey_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    key = get_object_or_404(ApiKey, pk=pk)
    services.revoke_api_key(Actor.from_request(request), key)
    messages.success(request, _("API key revoked."))
    return redirect("accounts:staff-detail", pk=key.owner_id)
