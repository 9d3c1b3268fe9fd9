"""Issue 11, item 5: nobody changes their own role, and a role that reaches personal
data is given only once a second person confirms it.

An administrator gave itself the privacy-lead role and then read personal data.
Now: a staff member's own role form is refused (403) on every path that changes a
role (the back-office page; the command line only creates accounts, and the API has
no role route); a role that reaches personal data is a pending request, shown on the
staff page, confirmed by a privacy lead or another administrator (never the person
concerned nor the one who asked), with an audit event for the request and for the
confirmation, and every privacy lead is e-mailed through the outbox.
"""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from tests.conftest import STRONG_PASSWORD
from vigie.accounts.models import User
from vigie.audit.models import Event
from vigie.mail.models import Message

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


@pytest.fixture
def as_user(make_staff):
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    def sign_in(user: User) -> Client:
        client = Client()
        client.force_login(user)
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is not None:
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
        return client

    return sign_in


def _set_role(client: Client, user: User, role: str):
    return client.post(reverse("accounts:staff-role", args=[user.pk]), {"role": role})


def _role(user: User) -> str:
    return User.objects.get(pk=user.pk).role


def _actions() -> list[str]:
    return list(Event.objects.order_by("id").values_list("action", flat=True))


@pytest.mark.parametrize("role", ["privacy_lead", "none", "sales"])
def test_an_admin_cannot_change_its_own_role(as_user, admin, role: str) -> None:
    response = _set_role(as_user(admin), admin, role)
    assert response.status_code == 403
    assert _role(admin) == "admin"
    assert "accounts:user:role_change" not in _actions()


def test_the_own_staff_page_shows_no_role_form(as_user, admin) -> None:
    page = as_user(admin).get(reverse("accounts:staff-detail", args=[admin.pk]))
    assert reverse("accounts:staff-role", args=[admin.pk]) not in page.content.decode()


def test_a_personal_data_role_waits_for_a_second_person(
    as_user, admin, privacy_lead, make_staff
) -> None:
    colleague = make_staff("none", username="colleague")
    response = _set_role(as_user(admin), colleague, "privacy_lead")
    assert response.status_code == 302
    assert _role(colleague) == "none"
    assert "accounts:user:role_request" in _actions()
    # The request is on the staff page, for the privacy lead to confirm.
    lead = as_user(privacy_lead)
    page = lead.get(reverse("accounts:staff-list")).content.decode()
    assert "colleague" in page and "Confirmer" in page
    # The privacy lead is told by e-mail, through the outbox (a service message).
    [notice] = Message.objects.filter(template="role_grant_request")
    assert notice.staff_id == privacy_lead.pk and notice.kind == "service"
    grant = colleague.role_grants.get()
    assert lead.post(reverse("accounts:role-grant-confirm", args=[grant.pk])).status_code == 302
    assert _role(colleague) == "privacy_lead"
    confirm = Event.objects.get(action="accounts:user:role_confirm")
    assert confirm.actor_id == str(privacy_lead.pk)
    assert confirm.extra["requested_by"] == admin.pk and confirm.extra["to"] == "privacy_lead"


def test_the_one_who_asked_cannot_confirm(as_user, make_staff) -> None:
    first, second = make_staff("admin"), make_staff("admin")
    colleague = make_staff("none", username="colleague")
    _set_role(as_user(first), colleague, "privacy_lead")
    grant = colleague.role_grants.get()
    as_user(first).post(reverse("accounts:role-grant-confirm", args=[grant.pk]))
    assert _role(colleague) == "none"
    # Another administrator may.
    as_user(second).post(reverse("accounts:role-grant-confirm", args=[grant.pk]))
    assert _role(colleague) == "privacy_lead"


def test_nobody_confirms_a_role_for_themselves(as_user, admin, make_staff) -> None:
    """Two administrators cannot elevate each other's request on their own account:
    the account concerned is refused (403), even when another person asked."""
    other = make_staff("admin")
    _set_role(as_user(other), admin, "privacy_lead")
    grant = admin.role_grants.get()
    response = as_user(admin).post(reverse("accounts:role-grant-confirm", args=[grant.pk]))
    assert response.status_code == 403
    assert _role(admin) == "admin"


def test_roles_without_confirm_power_cannot_confirm(as_user, admin, make_staff) -> None:
    sales = make_staff("sales")
    colleague = make_staff("none", username="colleague")
    _set_role(as_user(admin), colleague, "sales")
    grant = colleague.role_grants.get()
    response = as_user(sales).post(reverse("accounts:role-grant-confirm", args=[grant.pk]))
    assert response.status_code == 403
    assert _role(colleague) == "none"


def test_a_privacy_lead_may_refuse(as_user, admin, privacy_lead, make_staff) -> None:
    colleague = make_staff("none", username="colleague")
    _set_role(as_user(admin), colleague, "admin")
    grant = colleague.role_grants.get()
    as_user(privacy_lead).post(reverse("accounts:role-grant-refuse", args=[grant.pk]))
    assert _role(colleague) == "none"
    assert "accounts:user:role_refuse" in _actions()


def test_removing_a_role_needs_no_second_person(as_user, admin, make_staff) -> None:
    sales = make_staff("sales")
    assert _set_role(as_user(admin), sales, "none").status_code == 302
    assert _role(sales) == "none"


def test_an_account_created_with_a_personal_data_role_waits_too(as_user, admin) -> None:
    form = {
        "username": "claire",
        "email": "claire@semi.example",
        "password": STRONG_PASSWORD,
        "role": "privacy_lead",
        "confidentiality_signed_at": "2026-11-02",
        "gdpr_training_at": "2026-11-03",
    }
    assert as_user(admin).post(reverse("accounts:staff-create"), form).status_code == 302
    claire = User.objects.get(username="claire")
    assert claire.role == "none" and claire.role_grants.get().role == "privacy_lead"


def _createstaff(monkeypatch, username: str, role: str) -> str:
    monkeypatch.setattr("sys.stdin", io.StringIO(STRONG_PASSWORD + "\n"))
    out = io.StringIO()
    call_command(
        "createstaff",
        username,
        "--email",
        f"{username}@semi.example",
        "--role",
        role,
        "--confidentiality-signed",
        "2026-11-02",
        "--gdpr-training",
        "2026-11-10",
        "--password-stdin",
        stdout=out,
    )
    return out.getvalue()


def test_the_command_line_gives_the_first_admin_its_role_then_asks_a_second_person(
    monkeypatch,
) -> None:
    _createstaff(monkeypatch, "first", "admin")
    assert User.objects.get(username="first").role == "admin"  # bootstrap
    out = _createstaff(monkeypatch, "second", "privacy_lead")
    second = User.objects.get(username="second")
    assert second.role == "none" and "awaits confirmation" in out
    assert second.role_grants.get().requested_by is None
