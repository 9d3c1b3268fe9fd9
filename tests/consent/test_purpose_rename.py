"""The purpose key ``offres_semi`` named one company; it became ``offres`` (issue 9).
Every stored row moves to the new key, and links already sent keep working."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from tests.policy.conftest import register  # noqa: F401 (fixture)
from vigie.consent.models import ConsentEvent, Segment, Subscription, SuppressionEntry
from vigie.consent.segments import create_segment
from vigie.mail.models import Message
from vigie.mail.services import queue_message

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

TABLES = [
    (ConsentEvent, "purpose"),
    (Subscription, "purpose"),
    (SuppressionEntry, "scope"),
    (Segment, "purpose"),
    (Message, "purpose"),
]


def _set_key(old: str, new: str) -> None:
    """Put rows back as an older release stored them (raw SQL: the ORM would refuse
    to touch consent proof, which is append-only)."""
    with connection.cursor() as cursor:
        for model, field in TABLES:
            table = connection.ops.quote_name(model._meta.db_table)
            column = connection.ops.quote_name(field)
            cursor.execute(
                f"UPDATE {table} SET {column} = %s WHERE {column} = %s",  # noqa: S608
                [new, old],
            )


def _migrate(app: str, name: str) -> None:
    migration = import_module(f"vigie.{app}.migrations.{name}")
    state = MigrationLoader(connection).project_state((app, name))
    migration.rename_purpose(state.apps, None)


def test_every_stored_row_moves_from_the_company_named_key_to_offres(
    make_person,
    subscribe,
    staff_actor,
    register,  # noqa: F811 (fixture)
) -> None:
    from vigie.consent import services

    person = make_person("client@exemple.fr")
    subscribe(person, "offres")
    leaver = make_person("parti@exemple.fr")
    subscribe(leaver, "offres")
    services.withdraw(staff_actor, leaver, "offres", method="post")
    create_segment(staff_actor, "Clients PME", "offres")
    queue_message(staff_actor, person, "newsletter", kind="marketing", purpose="offres")
    _set_key("offres", "offres_semi")
    for model, field in TABLES:
        assert model.objects.filter(**{field: "offres_semi"}).exists(), model

    _migrate("consent", "0003_purpose_offres")
    _migrate("mail", "0003_message_to_organisation_or_recipient")

    for model, field in TABLES:
        assert not model.objects.filter(**{field: "offres_semi"}).exists(), model
        assert model.objects.filter(**{field: "offres"}).exists(), model
    assert Subscription.objects.get(person=person).purpose == "offres"
