"""Back-office pages showing a person's data journal each read (R29)."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from tests.conftest import STRONG_PASSWORD
from vigie.accounts.models import User
from vigie.audit.models import Chain, Event


def test_opening_a_staff_account_records_a_read_event(signed_in, admin, make_staff) -> None:
    sales = make_staff("sales")
    client = signed_in(admin)
    response = client.get(reverse("accounts:staff-detail", args=[sales.pk]), REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    assert sales.email in response.content.decode()
    event = Event.objects.get(chain=Chain.READ, object_id=str(sales.pk))
    assert event.action == "personal_data:read"
    assert (event.actor_type, event.actor_id) == ("user", str(admin.pk))
    assert event.object_type == "accounts.user"
    assert event.ip == "10.1.2.3"
    assert event.extra == {"view": "accounts:staff-detail"}


def test_the_staff_list_records_which_accounts_were_shown(signed_in, admin, make_staff) -> None:
    sales = make_staff("sales")
    signed_in(admin).get(reverse("accounts:staff-list"))
    event = Event.objects.get(chain=Chain.READ)
    assert sorted(event.extra["ids"]) == sorted([admin.pk, sales.pk])


def test_reading_the_audit_log_is_itself_logged(signed_in, auditor) -> None:
    response = signed_in(auditor).get(reverse("audit:log"))
    assert response.status_code == 200
    assert Event.objects.filter(action="audit:log:read", actor_id=str(auditor.pk)).count() == 1


@pytest.mark.django_db(databases=["default", "keys"])
def test_the_auditor_verifies_the_chain_from_the_back_office(signed_in, auditor) -> None:
    response = signed_in(auditor).post(reverse("audit:verify"))
    assert response.status_code == 200
    assert "Le journal d'audit est intact" in response.content.decode()


def test_an_admin_creates_an_account_from_the_back_office(signed_in, admin) -> None:
    form = {
        "username": "claire",
        "email": "claire@semi.example",
        "password": STRONG_PASSWORD,
        "role": "technician",
        "confidentiality_signed_at": "2026-11-02",
        "gdpr_training_at": "2026-11-03",
    }
    response = signed_in(admin).post(reverse("accounts:staff-create"), form)
    assert response.status_code == 302
    # A role that reaches personal data waits for a second person (issue 11).
    claire = User.objects.get(username="claire")
    assert claire.role == "none" and claire.role_grants.get().role == "technician"


def test_a_weak_password_is_a_form_error_not_a_500(signed_in, admin) -> None:
    form = {"username": "weak", "email": "w@semi.example", "password": "Azerty12", "role": "none"}
    response = signed_in(admin).post(reverse("accounts:staff-create"), form)
    assert response.status_code == 400
    assert "12 caractères" in response.content.decode()
    assert not User.objects.filter(username="weak").exists()


def test_the_staff_page_shows_the_recorded_undertaking_dates(signed_in, admin, make_staff) -> None:
    """The dates of R28 come back in the date fields: an ``<input type="date">`` takes only
    AAAA-MM-JJ, and the French format left the fields empty, so that saving the form again
    erased both dates (found trying the demo)."""
    sales = make_staff("sales")
    sales.confidentiality_signed_at = date(2026, 12, 1)
    sales.gdpr_training_at = date(2026, 12, 2)
    sales.save()
    page = signed_in(admin).get(reverse("accounts:staff-detail", args=[sales.pk])).content.decode()
    assert 'name="confidentiality_signed_at" value="2026-12-01"' in page
    assert 'name="gdpr_training_at" value="2026-12-02"' in page


def test_a_role_refused_for_want_of_undertakings_is_named_in_words(signed_in, admin) -> None:
    """The form error names the role as the page does (« Commercial »), not its code."""
    form = {
        "username": "nadia",
        "email": "nadia@semi.example",
        "password": STRONG_PASSWORD,
        "role": "sales",
    }
    response = signed_in(admin).post(reverse("accounts:staff-create"), form)
    page = response.content.decode()
    assert "Le rôle « Commercial » donne accès à des données personnelles" in page
    assert "rôle sales" not in page
