"""The preference centre (/preferences/<token>): one switch per purpose, and "none at all" (R44)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from vigie.consent import services
from vigie.consent.models import Status, Subscription
from vigie.lib.tokens import make_token
from vigie.people.models import SubjectType

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def _switches(html: str) -> dict[str, bool]:
    boxes = re.findall(r'<input type="checkbox" name="purposes" value="(\w+)"( checked)?>', html)
    return {purpose: bool(checked) for purpose, checked in boxes}


def test_it_shows_one_switch_per_purpose_reflecting_what_the_person_receives(
    client: Client, make_person, subscribe
) -> None:
    person = make_person(types=(SubjectType.PROSPECT_B2B,), informed=True, email="dsi@ent.fr")
    subscribe(person, "newsletter")
    response = client.get(f"/preferences/{make_token(person.id, 'all')}")
    assert response.status_code == 200
    html = response.content.decode()
    # SEMI's and partners' offers reach an informed B2B contact on an opt-out basis (R36).
    assert _switches(html) == {
        "newsletter": True,
        "offres": True,
        "offres_partenaires": True,
    }
    assert re.search(r'name="stop_all" value="1">', html)


def test_switching_a_purpose_off_withdraws_and_on_starts_a_double_opt_in(
    client: Client, make_person, subscribe, monkeypatch
) -> None:
    sent: list[str] = []
    monkeypatch.setattr(services, "send_confirmation_hook", lambda p, t: sent.append(t))
    person = make_person()
    subscribe(person, "newsletter")
    path = f"/preferences/{make_token(person.id, 'newsletter')}"
    response = client.post(path, {"purposes": ["offres"]})
    assert response.status_code == 200
    states = dict(Subscription.objects.filter(person=person).values_list("purpose", "status"))
    assert states == {"newsletter": Status.WITHDRAWN, "offres": Status.PENDING}
    assert len(sent) == 1
    assert _switches(response.content.decode())["offres"] is True


def test_no_commercial_email_at_all_objects_to_every_purpose(
    client: Client, make_person, subscribe
) -> None:
    person = make_person("tout@exemple.fr")
    subscribe(person, "offres")
    response = client.post(
        f"/preferences/{make_token(person.id, 'all')}",
        {"purposes": ["offres"], "stop_all": "1"},
    )
    assert response.status_code == 200
    assert set(Subscription.objects.filter(person=person).values_list("status", flat=True)) == {
        Status.OBJECTED
    }
    assert services.is_suppressed("TOUT@exemple.fr", "newsletter")
    assert not any(_switches(response.content.decode()).values())


def test_the_form_is_protected_against_cross_site_posts(make_person) -> None:
    person = make_person()
    response = Client(enforce_csrf_checks=True).post(
        f"/preferences/{make_token(person.id, 'all')}", {"stop_all": "1"}
    )
    assert response.status_code == 403
    assert not Subscription.objects.filter(person=person).exists()


def test_a_bad_link_shows_an_error(client: Client) -> None:
    assert client.get("/preferences/forged").status_code == 404
