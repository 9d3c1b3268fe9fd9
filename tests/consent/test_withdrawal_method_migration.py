"""Migrations consent.0005/0006: existing suppression entries are kept (active), and
the withdrawals stored as ``web_form`` get the method their channel shows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from vigie.consent.models import ConsentEvent, Method, SuppressionEntry
from vigie.people.services import create_person

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "keys"])

BEFORE = [("consent", "0004_outbox_links_as_references")]
AFTER = [("consent", "0006_infer_withdrawal_methods")]


def _migrate(target) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)


def test_existing_data_is_kept_and_methods_are_inferred(cli_actor) -> None:
    person = create_person(cli_actor, email="ancien@exemple.fr", first_name="Ancien")
    _migrate(BEFORE)
    try:
        old_event = _old_event_model()
        channels = {
            "one": ("withdraw", "/u/ (List-Unsubscribe-Post)"),
            "page": ("object", "/u/ (confirmation page)"),
            "centre": ("withdraw", "/preferences/"),
            "signup": ("pending", "https://semi.example/newsletter/"),
            "other": ("withdraw", "https://semi.example/form/"),
        }
        ids = {}
        now = timezone.now()
        for name, (kind, channel) in channels.items():
            event = old_event(
                person_id=person.pk,
                purpose="all" if kind == "object" else "newsletter",
                kind=kind,
                channel=channel,
                occurred_at=now,
                method="web_form",
                collector="subject",
            )
            event.save()
            ids[name] = event.pk
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO consent_suppressionentry (address_hash, scope, reason, created_at)"
                " VALUES (%s, %s, %s, %s)",
                ["a" * 64, "newsletter", "unsubscribed", now],
            )
        _migrate(AFTER)
        methods = {name: ConsentEvent.objects.get(pk=pk).method for name, pk in ids.items()}
        assert methods == {
            "one": Method.ONE_CLICK,
            "page": Method.UNSUBSCRIBE_PAGE,
            "centre": Method.PREFERENCE_CENTRE,
            "signup": Method.WEB_FORM,
            "other": Method.WEB_FORM,
        }
        entry = SuppressionEntry.objects.get()
        assert entry.address_hash == "a" * 64 and entry.lifted_at is None
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def _old_event_model():
    executor = MigrationExecutor(connection)
    return executor.loader.project_state(BEFORE).apps.get_model("consent", "ConsentEvent")


def test_the_migrations_reverse_with_lifted_entries_and_new_methods(
    make_person, subscribe, staff_actor
) -> None:
    """Back to 0004 after a person came back and left again: the schema of 0004 holds one
    entry per address and scope and deleted an entry when it was lifted, so the lifted
    ones go and the active one stays; the new methods go back to ``web_form``."""
    from tests.consent.conftest import WORDING
    from vigie.consent import services

    person = make_person("revient@exemple.fr")
    subscribe(person)
    services.withdraw(staff_actor, person, "newsletter", method=Method.PHONE)
    token = services.start_double_opt_in(
        services.subject_actor(), person, "newsletter", wording=WORDING
    )
    assert token is not None
    services.confirm_double_opt_in(token)
    services.withdraw(staff_actor, person, "newsletter", method=Method.PREFERENCE_CENTRE)
    active = SuppressionEntry.objects.get(lifted_at__isnull=True)
    try:
        _migrate(BEFORE)
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, scope FROM consent_suppressionentry")
            assert cursor.fetchall() == [(active.pk, "newsletter")]
            cursor.execute(
                "SELECT DISTINCT method FROM consent_consentevent WHERE kind = 'withdraw'"
            )
            assert {method for (method,) in cursor.fetchall()} == {"phone", "web_form"}
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    assert services.is_suppressed("revient@exemple.fr", "newsletter")
