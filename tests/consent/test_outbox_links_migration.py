"""Migration consent.0004 replaces the working links that messages queued before it
kept in the outbox by the references the links are now made from."""

from __future__ import annotations

import pytest
from django.core import signing
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from vigie.consent import services
from vigie.consent.models import ConsentEvent, Kind
from vigie.consent.preference_links import preferences_url
from vigie.mail.models import Message
from vigie.people.services import create_person

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "keys"])

BEFORE = [("consent", "0003_purpose_offres")]
AFTER = [("consent", "0004_outbox_links_as_references")]


def _migrate(target) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)


def test_stored_links_become_references(cli_actor) -> None:
    jeanne = create_person(cli_actor, email="jeanne@exemple.fr", first_name="Jeanne")
    services.sign_up(
        services.subject_actor(),
        email="lea@exemple.fr",
        first_name="Léa",
        purpose="newsletter",
        wording="Je m'inscris à la lettre",
    )
    pending = ConsentEvent.objects.get(kind=Kind.PENDING)
    confirmation = Message.objects.get(template="newsletter_confirmation")
    # What this release's predecessor stored: the working links themselves.
    old_link = "https://vigie.example" + services.confirmation_path(
        signing.dumps(pending.pk, salt=services.CONFIRM_SALT)
    )
    Message.objects.filter(pk=confirmation.pk).update(context={"confirm_url": old_link})
    preferences = Message.objects.create(
        person=jeanne,
        kind="service",
        template="preferences_link",
        language="fr",
        message_id="<test@vigie.example>",
        context={"preferences_url": preferences_url(jeanne.pk)},
    )
    _migrate(BEFORE)
    try:
        _migrate(AFTER)
        assert Message.objects.get(pk=confirmation.pk).context == {"pending": pending.pk}
        assert Message.objects.get(pk=preferences.pk).context == {"person": str(jeanne.pk)}
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
