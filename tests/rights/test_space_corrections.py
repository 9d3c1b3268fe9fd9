"""Self-service corrections in the personal space (Art. 16, R54): job title, mobile and
postal address, applied at once in Vigie and in the sources (Dolibarr on PostgreSQL
here), the old values kept sealed; identity data goes through a request."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from django.test import Client

from tests.rights.conftest import ON_FILE
from tests.rights.test_personal_space import SPACE, _signed_in
from tests.sources.helpdesk import ROOT, fresh_database
from vigie.audit.actor import Actor
from vigie.audit.models import Event
from vigie.demo.shapes import dolibarr
from vigie.demo.shapes.fill import SeedPerson, fill_dolibarr
from vigie.people.models import Person
from vigie.people.services import open_person
from vigie.rights import services, space
from vigie.rights.space_corrections import correct_details
from vigie.sources.services import register_source

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

DETAILS = "/droits/espace/coordonnees/"


@pytest.fixture
def dolibarr_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[sa.Engine]:
    with fresh_database("postgresql", tmp_path) as url:
        engine = sa.create_engine(url)
        dolibarr.metadata().create_all(engine)
        fill_dolibarr(
            engine,
            [SeedPerson(ON_FILE, "Claire", "Martin")],
            companies=2,
            private_customers=1,
            years_of_invoices=2,
            now=dt.datetime(2025, 6, 2, 9, 30),
        )
        monkeypatch.setenv("VIGIE_SOURCE_DOLIBARR_URL", url)
        text = (ROOT / "vigie" / "sources" / "manifests" / "dolibarr.yaml").read_text("utf-8")
        register_source(Actor.cli(), text)
        yield engine
        engine.dispose()


def _contact(engine: sa.Engine) -> set[tuple[str | None, ...]]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT poste, phone_mobile, town, lastname FROM llx_socpeople "
                "WHERE LOWER(TRIM(email)) = :email"
            ),
            {"email": ON_FILE},
        )
        return {tuple(r) for r in rows}


def test_the_person_corrects_their_details_in_vigie_and_every_source(
    claire: Person, dolibarr_db: sa.Engine
) -> None:
    before = _contact(dolibarr_db)
    assert before and all(r[3] == "Martin" for r in before)
    client = _signed_in(Client(), claire)
    page = client.get(SPACE).content.decode()
    assert "Corriger mes coordonnées" in page
    response = client.post(
        DETAILS, {"job_title": "Directrice technique", "mobile": "06 98 76 54 32", "city": "Lyon"}
    )
    assert response.status_code == 302
    claire.refresh_from_db()
    assert open_person(claire).job_title == "Directrice technique"
    assert _contact(dolibarr_db) == {("Directrice technique", "+33698765432", "Lyon", "Martin")}
    history = {change.field: (old, new) for change, old, new in space.change_history(claire)}
    assert history["job_title"] == ("", "Directrice technique")
    assert history["mobile"][1] == "+33698765432"
    assert history["city"][1] == "Lyon"
    assert "Lyon" not in str(list(Event.objects.values_list("extra", flat=True)))
    # The telephone, corrected in the space as before, now reaches the sources too.
    assert client.post("/droits/espace/telephone/", {"phone": "04 72 00 00 01"}).status_code == 302
    with dolibarr_db.connect() as conn:
        phones = set(
            conn.execute(
                sa.text("SELECT phone FROM llx_socpeople WHERE LOWER(TRIM(email)) = :email"),
                {"email": ON_FILE},
            ).scalars()
        )
    assert phones == {"+33472000001"}


def test_a_bad_mobile_is_a_form_error_and_nothing_changes(claire: Person) -> None:
    client = _signed_in(Client(), claire)
    response = client.post(DETAILS, {"mobile": "pas un numéro", "city": "Lyon"})
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()
    assert space.change_history(claire) == []
    response = client.post(DETAILS, {})
    assert response.status_code == 400
    assert space.change_history(claire) == []


def test_identity_data_is_not_self_service(claire: Person) -> None:
    with pytest.raises(services.RightsError):
        correct_details(Actor.cli(), claire, {"last_name": "Dupont"})
    assert open_person(claire).last_name == "Martin"
