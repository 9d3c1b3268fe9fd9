"""Seed people appear in GLPI and Dolibarr where a rights request will look for them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Engine, func, select

from vigie.demo.shapes import dolibarr, glpi
from vigie.demo.shapes.fill import SeedPerson, fill_dolibarr, fill_glpi

CAMILLE = SeedPerson("camille.durand@exemple.fr", "Camille", "Durand", "06 11 22 33 44")
LUC = SeedPerson("luc.bernard@exemple.fr", "Luc", "Bernard")


@pytest.mark.parametrize("backend", ["sqlite", "mariadb"])
def test_a_seed_person_is_a_glpi_requester_author_colleague_and_login(
    database: Callable[[str], Engine], backend: str
) -> None:
    engine = database(backend)
    md = glpi.metadata()
    md.create_all(engine)
    fill_glpi(engine, [CAMILLE, LUC], users=40, tickets=80, followups=200, login_events=100)
    t = md.tables
    with engine.connect() as conn:
        user_id = conn.execute(
            select(t["glpi_useremails"].c.users_id).where(
                t["glpi_useremails"].c.email == CAMILLE.email
            )
        ).scalar_one()
        login, realname = conn.execute(
            select(t["glpi_users"].c.name, t["glpi_users"].c.realname).where(
                t["glpi_users"].c.id == user_id
            )
        ).one()
        actors = t["glpi_tickets_users"]
        requested = select(actors.c.tickets_id).where(
            actors.c.users_id == user_id, actors.c.type == 1
        )
        followups = t["glpi_itilfollowups"]

        def count(query: object) -> int:
            return conn.execute(query).scalar_one()  # type: ignore[call-overload,no-any-return]

        assert (login, realname) == ("camille.durand", "Durand")
        assert count(select(func.count()).select_from(requested.subquery())) >= 3
        # Her own follow-ups, and a technician's reply on each of her tickets.
        assert count(select(func.count()).where(followups.c.users_id == user_id)) >= 3
        assert (
            count(
                select(func.count()).where(
                    followups.c.items_id.in_(requested), followups.c.users_id != user_id
                )
            )
            >= 3
        )
        # A colleague's ticket names her, with her address.
        assert (
            count(
                select(func.count()).where(
                    t["glpi_tickets"].c.content.contains(CAMILLE.email),
                    t["glpi_tickets"].c.id.not_in(requested),
                )
            )
            >= 1
        )
        # A year of logins, successful and failed, with the login inside the text.
        messages = t["glpi_events"].c.message
        logins = messages.like(f"{login} log in from IP %") | messages.like(
            f"Failed login for {login} from IP %"
        )
        assert count(select(func.count()).where(logins)) >= 12
        assert count(select(func.count()).where(t["glpi_computers"].c.users_id == user_id)) == 1


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_seed_person_is_a_dolibarr_contact_customer_target_and_attendee(
    database: Callable[[str], Engine], backend: str
) -> None:
    engine = database(backend)
    md = dolibarr.metadata()
    md.create_all(engine)
    fill_dolibarr(engine, [CAMILLE, LUC], companies=5, private_customers=3, years_of_invoices=12)
    t = md.tables
    with engine.connect() as conn:
        contact_id = conn.execute(
            select(t["llx_socpeople"].c.rowid).where(t["llx_socpeople"].c.email == CAMILLE.email)
        ).scalar_one()
        party = conn.execute(
            select(t["llx_societe"].c.rowid, t["llx_societe"].c.fk_typent).where(
                t["llx_societe"].c.email == CAMILLE.email
            )
        ).one()
        invoice_years = conn.execute(
            select(func.count(func.distinct(func.substr(t["llx_facture"].c.ref, 3, 2)))).where(
                t["llx_facture"].c.fk_soc == party.rowid
            )
        ).scalar_one()
        targets = conn.execute(
            select(func.count()).where(t["llx_mailing_cibles"].c.email == CAMILLE.email)
        ).scalar_one()
        meetings = conn.execute(
            select(func.count()).where(
                t["llx_actioncomm_resources"].c.element_type == "socpeople",
                t["llx_actioncomm_resources"].c.fk_element == contact_id,
            )
        ).scalar_one()
    assert party.fk_typent == 8
    assert invoice_years == 12
    assert targets >= 1
    assert meetings >= 1
