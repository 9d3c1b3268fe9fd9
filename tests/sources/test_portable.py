"""Portability marks (R58): the manifest checks, and the portable rows of the shipped GLPI
and Dolibarr manifests against hand-written SQL (MariaDB, PostgreSQL, SQLite).

Only marked columns come out, and only the person's own rows: the follow-ups they wrote
that are not private, the tickets they asked for, the orders of their third party;
never the prospect status, a private note or a technician's reply.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa

from tests.sources.test_dolibarr_source import dolibarr_db  # noqa: F401 (a fixture)
from tests.sources.test_dolibarr_source import source as dolibarr_source
from tests.sources.test_glpi_source import CAMILLE, SUBJECT, glpi_db  # noqa: F401 (a fixture)
from tests.sources.test_glpi_source import source as glpi_source
from vigie.sources.manifest import InvalidManifest, parse_manifest
from vigie.sources.portable import PortableSection
from vigie.sources.types import Subject

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

SMALL = """
source: shop
connection: {url_env: VIGIE_TEST_SOURCE_SHOP_URL}
identities:
  customer: {table: customers, key: id, match: {email: {column: email}}}
tables:
  customers:
    links: [{identity: customer, column: id}]
    columns:
      id: not_personal
      email: {category: identity-contact, erase: "null", portable: provided}
  notes:
    %s
    links:
      - {identity: customer, column: customer_id}
      - {identity: customer, column: about_id, erase: false}
    columns:
      customer_id: {category: identity-contact, erase: "null"}
      about_id: {category: identity-contact, erase: "null"}
      text: {category: identity-contact, erase: "null"%s}
"""


def _rows(sections: list[PortableSection], table: str) -> dict[str, dict[str, Any]]:
    found = [s for s in sections if s.table == table]
    return dict(found[0].rows) if found else {}


def test_the_marks_parse_and_a_wrong_author_or_condition_is_named() -> None:
    manifest = parse_manifest(
        SMALL
        % (
            "portable_author: customer_id\n    portable_when: {customer_id: 1}",
            ", portable: provided",
        )
    )
    notes = manifest.tables["notes"]
    assert [(c.name, k) for c, k in notes.portable_columns()] == [("text", "provided")]
    assert notes.portable_author == "customer_id" and notes.portable_when == {"customer_id": 1}
    with pytest.raises(InvalidManifest) as error:
        parse_manifest(SMALL % ("portable_author: text\n    portable_when: {nope: 1}", ""))
    paths = {e.path for e in error.value.errors}
    assert paths == {
        "tables.notes.portable_author",
        "tables.notes.portable_when.nope",
        "tables.notes.portable",
    }
    with pytest.raises(InvalidManifest) as error:
        parse_manifest(SMALL % ("portable: scored", ""))
    assert error.value.errors[0].path == "tables.notes.portable"
    # A table mark covers its personal columns only.
    marked = parse_manifest(SMALL % ("portable: observed", "")).tables["notes"]
    assert {c.name for c, _k in marked.portable_columns()} == {"customer_id", "about_id", "text"}


def test_glpi_exports_the_persons_tickets_and_own_public_follow_ups_only(glpi_db) -> None:  # noqa: F811
    engine, url = glpi_db
    with engine.begin() as conn:
        uid = conn.execute(
            sa.text("SELECT users_id FROM glpi_useremails WHERE email = :e"),
            {"e": CAMILLE.email},
        ).scalar_one()
        # One of her follow-ups made private: an internal note leaves the export.
        private = conn.execute(
            sa.text("SELECT MIN(id) FROM glpi_itilfollowups WHERE users_id = :u"), {"u": uid}
        ).scalar_one()
        conn.execute(
            sa.text("UPDATE glpi_itilfollowups SET is_private = 1 WHERE id = :i"), {"i": private}
        )
        own = {
            str(k)
            for k in conn.execute(
                sa.text(
                    "SELECT id FROM glpi_itilfollowups WHERE itemtype = 'Ticket' "
                    "AND users_id = :u AND is_private = 0"
                ),
                {"u": uid},
            ).scalars()
        }
        asked = {
            str(k)
            for k in conn.execute(
                sa.text(
                    "SELECT id FROM glpi_tickets WHERE id IN (SELECT tickets_id FROM "
                    "glpi_tickets_users WHERE type = 1 AND (users_id = :u "
                    "OR LOWER(TRIM(alternative_email)) = :e))"
                ),
                {"u": uid, "e": CAMILLE.email},
            ).scalars()
        }
    with glpi_source(url) as engine_source:
        sections = engine_source.portable(SUBJECT)
    followups = _rows(sections, "glpi_itilfollowups")
    assert own and set(followups) == own and str(private) not in followups
    assert set(_rows(sections, "glpi_tickets")) == asked
    users = _rows(sections, "glpi_users")
    assert [v["realname"] for v in users.values()] == [CAMILLE.last_name]
    assert all("password" not in v and "comment" not in v for v in users.values())
    assert all(set(s.fields.values()) <= {"provided", "observed"} for s in sections)


def test_dolibarr_exports_the_contact_and_orders_never_the_prospect_status(dolibarr_db) -> None:  # noqa: F811
    engine, url = dolibarr_db
    with engine.begin() as conn:
        soc = conn.execute(sa.text("SELECT MAX(rowid) FROM llx_societe")).scalar_one()
        for n, (mine, note) in enumerate(((soc, "PRIVATE-NOTE"), (soc - 1, "OTHER"))):
            conn.execute(
                sa.text(
                    "INSERT INTO llx_commande (ref, entity, fk_soc, ref_client, note_private, "
                    "date_commande, total_ttc) VALUES (:r, 1, :s, :c, :n, :d, 120)"
                ),
                {"r": f"CO-{n}", "s": mine, "c": f"MY-{n}", "n": note, "d": "2025-01-10"},
            )
        conn.execute(
            sa.text("UPDATE llx_societe SET email = 'client.prive@exemple.fr' WHERE rowid = :s"),
            {"s": soc},
        )
        orders = {
            str(k)
            for k in conn.execute(
                sa.text("SELECT rowid FROM llx_commande WHERE fk_soc = :s"), {"s": soc}
            ).scalars()
        }
        contact = {
            str(k)
            for k in conn.execute(
                sa.text("SELECT rowid FROM llx_socpeople WHERE LOWER(TRIM(email)) = :e"),
                {"e": CAMILLE.email},
            ).scalars()
        }
    with dolibarr_source(url) as source:
        customer = source.portable(Subject(email=["client.prive@exemple.fr"]))
        person = source.portable(Subject(email=[CAMILLE.email]))
    assert orders and set(_rows(customer, "llx_commande")) == orders
    assert [v["ref_client"] for v in _rows(customer, "llx_commande").values()] == ["MY-0"]
    assert set(_rows(customer, "llx_societe")) == {str(soc)}
    assert set(_rows(person, "llx_socpeople")) == contact
    for sections in (customer, person):
        for section in sections:
            assert not {"fk_stcomm", "note_private", "ip", "user_agent"} & set(section.fields)


def test_vigie_exports_profile_consents_and_preferences_never_targeting_or_provenance(
    cli_actor,
) -> None:
    from django.utils import timezone

    from tests.consent.conftest import publish_policy
    from vigie.consent import services as consent
    from vigie.consent.models import Method
    from vigie.consent.segments import add_to_segment, create_segment
    from vigie.people.services import create_person
    from vigie.sources.portable import builtin_sections

    publish_policy(1, timezone.now() - dt.timedelta(days=30))
    jeanne = create_person(
        cli_actor, email="jeanne@exemple.fr", first_name="Jeanne", last_name="Martin"
    )
    consent.record_consent(
        cli_actor, jeanne, "newsletter", wording="Je veux la lettre", method=Method.WEB_FORM
    )
    add_to_segment(cli_actor, create_segment(cli_actor, "Gros clients", "offres"), [jeanne])
    sections = builtin_sections(cli_actor, Subject(email=["Jeanne@Exemple.fr"]))
    tables = {s.table: s for s in sections}
    assert set(tables) == {"people.person", "consent.consentevent", "consent.subscription"}
    person = tables["people.person"].rows[0][1]
    assert person["email"] == "jeanne@exemple.fr" and "source" not in person
    consents = [v for _k, v in tables["consent.consentevent"].rows]
    assert [c["wording"] for c in consents] == ["Je veux la lettre"]
    assert all("ip" not in c and "proof_ref" not in c for c in consents)
    assert "Gros clients" not in repr(sections)
