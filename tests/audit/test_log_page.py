"""The audit log page: logins, sentences, links, filters, pagination, the chain status (R29)."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from vigie.audit import display
from vigie.audit.actions import Action
from vigie.audit.models import Event
from vigie.audit.services import ObjectRef, record_event
from vigie.consent.actions import ConsentAction, SegmentAction, Verb, consent_action
from vigie.lib.purposes import PURPOSE_OR_ALL
from vigie.mail.actions import MailAction
from vigie.people.services import create_person

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def _every_action_name() -> list[str]:
    names = [*Action, *MailAction, *ConsentAction, *SegmentAction]
    names += [consent_action(p, v) for p, _label in PURPOSE_OR_ALL for v in Verb]
    return [str(n) for n in names]


def test_every_action_of_every_app_has_a_sentence() -> None:
    missing = [name for name in _every_action_name() if display.sentence(name) == name]
    assert missing == []


def test_every_action_passed_to_record_event_in_the_code_is_a_known_name() -> None:
    """A new enum member, or a name written by hand at a call site, needs a sentence."""
    from pathlib import Path

    root = Path(display.__file__).resolve().parents[1]
    used = set()
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"\b((?:Mail|Consent|Segment)?Action)\.([A-Z_]+)\b", text))
    enums = {
        "Action": Action,
        "MailAction": MailAction,
        "ConsentAction": ConsentAction,
        "SegmentAction": SegmentAction,
    }
    names = {str(enums[enum][member]) for enum, member in used}
    assert names and all(display.sentence(n) != n for n in names)


def test_sentences_follow_the_page_language() -> None:
    with translation.override("fr"):
        assert display.sentence("consent:newsletter:withdraw") == (
            "a enregistré un retrait du consentement à « Lettre d'information »"
        )
    with translation.override("en"):
        assert display.sentence(Action.USER_LOGIN) == "signed in"


def test_the_log_shows_the_login_a_sentence_and_a_link_to_the_person(
    signed_in, privacy_lead, cli_actor
) -> None:
    person = create_person(cli_actor, email="alice@example.fr", first_name="Alice")
    page = signed_in(privacy_lead).get(reverse("audit:log")).content.decode()
    assert "a créé une personne" in page
    assert f'href="/backoffice/people/{person.pk}/"' in page
    assert "Ligne de commande (test)" in page
    table = page[page.index("<table") :]
    assert "people:person:create" not in table


def test_a_staff_members_event_names_their_login_not_their_id(
    signed_in, auditor, privacy_lead
) -> None:
    record_event(
        display_actor(privacy_lead), Action.REGISTER_EXPORT, ObjectRef("register.revision", "1")
    )
    page = signed_in(auditor).get(reverse("audit:log")).content.decode()
    row = re.search(r"<tr>.*?a exporté le registre des traitements.*?</tr>", page, re.S)
    assert row is not None and "privacy_lead" in row.group(0)


def display_actor(user):
    from vigie.audit.actor import Actor

    return Actor.for_user(user)


def test_filters_narrow_the_log_by_actor_action_object_and_dates(
    signed_in, auditor, privacy_lead, cli_actor
) -> None:
    with time_machine.travel("2026-03-01 10:00 +00:00", tick=False):
        create_person(cli_actor, email="old@example.fr")
    with time_machine.travel("2026-06-01 10:00 +00:00", tick=False):
        create_person(cli_actor, email="new@example.fr")
        record_event(
            display_actor(privacy_lead), Action.POLICY_DRAFT, ObjectRef("policy.policyversion", "9")
        )
    client = signed_in(auditor)

    by_action = client.get(reverse("audit:log"), {"action": "people:person:create"})
    assert by_action.status_code == 200
    assert by_action.content.decode().count("<td>a créé une personne</td>") == 2
    assert "<td>a rédigé une version" not in by_action.content.decode()

    by_actor = client.get(reverse("audit:log"), {"actor": privacy_lead.pk}).content.decode()
    assert "<td>a rédigé une version" in by_actor and "<td>a créé une personne" not in by_actor

    by_object = client.get(reverse("audit:log"), {"object_type": "policy.policyversion"})
    assert "<td>a rédigé une version" in by_object.content.decode()

    by_dates = client.get(reverse("audit:log"), {"after": "2026-02-01", "before": "2026-03-31"})
    assert by_dates.content.decode().count("<td>a créé une personne</td>") == 1
    assert "01/03/2026" in by_dates.content.decode()


def test_a_bad_filter_is_a_form_error_not_a_500(signed_in, auditor) -> None:
    response = signed_in(auditor).get(reverse("audit:log"), {"after": "hier"})
    assert response.status_code == 400
    assert "Saisissez une date valide" in response.content.decode()


def test_pages_keep_the_filters(signed_in, auditor, cli_actor) -> None:
    for n in range(55):
        record_event(cli_actor, Action.SOURCE_CHECK, ObjectRef("sources.source", str(n)))
    page = signed_in(auditor).get(reverse("audit:log"), {"action": "sources:source:check"})
    text = page.content.decode()
    assert "Page 1 sur 2" in text
    assert "?action=sources%3Asource%3Acheck&amp;page=2" in text


def test_reading_the_log_is_journaled_with_the_filters(signed_in, auditor) -> None:
    signed_in(auditor).get(reverse("audit:log"), {"action": "accounts:user:login"})
    event = Event.objects.get(action=Action.AUDIT_LOG_READ)
    assert event.extra["filters"] == {"action": "accounts:user:login"}
    assert event.actor_id == str(auditor.pk)


def test_the_page_shows_the_chain_status_of_the_last_verification(signed_in, auditor) -> None:
    client = signed_in(auditor)
    assert "n'a encore jamais été vérifiée" in client.get(reverse("audit:log")).content.decode()
    client.post(reverse("audit:verify"))
    page = client.get(reverse("audit:log")).content.decode()
    assert "Chaîne intacte lors de la dernière vérification" in page


def test_an_outsider_cannot_read_the_log(signed_in, outsider) -> None:
    assert signed_in(outsider).get(reverse("audit:log")).status_code == 403


def test_a_verification_from_the_command_line_shows_on_the_page(signed_in, auditor) -> None:
    from django.core.management import call_command

    call_command("audit", "verify")
    event = Event.objects.get(action=Action.AUDIT_VERIFY)
    assert (event.actor_type, event.extra["ok"]) == ("cli", True)
    page = signed_in(auditor).get(reverse("audit:log")).content.decode()
    assert "Chaîne intacte lors de la dernière vérification" in page
    assert "Ligne de commande (audit verify)" in page


def test_objects_are_named_where_they_have_a_name(signed_in, auditor, privacy_lead) -> None:
    record_event(display_actor(auditor), Action.USER_ROLE_CHANGE, privacy_lead)
    page = signed_in(auditor).get(reverse("audit:log")).content.decode()
    link = f'<a href="/backoffice/staff/{privacy_lead.pk}/">Compte salarié privacy_lead</a>'
    assert link in page


def test_every_background_task_is_named_in_the_page_language() -> None:
    """Events recorded by Vigie itself (``Actor.system("mail delivery")``…) name the task
    in words on a French page, not its English name: « Vigie (envoi des e-mails) »."""
    from pathlib import Path

    root = Path(display.__file__).resolve().parents[1]
    tasks = set()
    for path in root.rglob("*.py"):
        tasks |= set(re.findall(r'Actor\.system\(\s*"([^"]+)"', path.read_text(encoding="utf-8")))
    assert {"mail delivery", "double opt-in"} <= tasks
    with translation.override("fr"):
        shown = {task: display.actor_text("system", task, {}) for task in tasks}
        assert shown["mail delivery"] == "Vigie (envoi des e-mails)"
    english = {task: text for task, text in shown.items() if task in text}
    assert english == {}
