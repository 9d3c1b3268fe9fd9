"""mask_third_parties: an access copy keeps the subject's data and masks others' (R52)."""

from __future__ import annotations

import json

import pytest
from django.utils import translation

from vigie.audit.actions import Action
from vigie.audit.actor import Actor
from vigie.audit.models import Event
from vigie.pii.findings import Kind
from vigie.pii.masking import Reason, mask_third_parties

pytestmark = pytest.mark.django_db

SUBJECT = ["jean.dupont@exemple.fr", "06 12 34 56 78"]
THREAD = (
    "De : jean.dupont@exemple.fr — rappeler au 06 12 34 56 78.\n"
    "Réponse de claire.petit@exemple.fr (07 81 23 45 67) : le mot de passe : Azerty123 "
    "du serveur est à changer."
)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_another_employees_address_is_replaced_and_the_subjects_kept() -> None:
    masked = mask_third_parties(THREAD, SUBJECT, context="glpi:ticket:17")
    assert "jean.dupont@exemple.fr" in masked.text and "06 12 34 56 78" in masked.text
    assert "claire.petit@exemple.fr" not in masked.text
    assert "07 81 23 45 67" not in masked.text
    assert "Réponse de [third party masked] ([third party masked])" in masked.text


def test_a_password_is_masked_for_security_whoever_it_belongs_to() -> None:
    masked = mask_third_parties(THREAD, SUBJECT)
    assert "Azerty123" not in masked.text
    assert "le mot de passe : [secret masked] du serveur" in masked.text


def test_each_masking_is_recorded_with_its_kind_and_reason() -> None:
    masked = mask_third_parties(THREAD, SUBJECT)
    assert [(m.kind, m.reason) for m in masked.maskings] == [
        (Kind.EMAIL, Reason.RIGHTS_OF_OTHERS),
        (Kind.PHONE_MOBILE, Reason.RIGHTS_OF_OTHERS),
        (Kind.SECRET, Reason.SECURITY),
    ]
    first = masked.maskings[0]
    assert THREAD[first.start : first.end] == "claire.petit@exemple.fr"


def test_one_audit_event_logs_the_maskings_without_the_masked_values(cli_actor) -> None:
    mask_third_parties(THREAD, SUBJECT, actor=cli_actor, context="glpi:ticket:17")
    event = Event.objects.get(action=Action.PII_MASK)
    assert (event.actor_type, event.actor_id) == (cli_actor.kind, cli_actor.id)
    assert event.extra["context"] == "glpi:ticket:17"
    assert event.extra["count"] == 3
    assert event.extra["counts"] == {
        "email:art15_4_rights_of_others": 1,
        "phone_mobile:art15_4_rights_of_others": 1,
        "secret:art32_security": 1,
    }
    assert event.extra["maskings"][0] == {
        "kind": "email",
        "reason": "art15_4_rights_of_others",
        "start": THREAD.index("claire"),
        "end": THREAD.index("claire") + len("claire.petit@exemple.fr"),
    }
    stored = json.dumps(event.extra)
    for value in ("claire.petit", "07 81 23 45 67", "0781234567", "+33781234567", "Azerty123"):
        assert value not in stored


def test_the_system_is_the_actor_when_none_is_given() -> None:
    mask_third_parties(THREAD, SUBJECT)
    assert Event.objects.get(action=Action.PII_MASK).actor_type == Actor.system("pii").kind


def test_a_text_with_only_the_subjects_data_is_unchanged_and_logs_nothing() -> None:
    text = "Merci de rappeler jean.dupont@exemple.fr au +33 6 12 34 56 78."
    masked = mask_third_parties(text, SUBJECT)
    assert (masked.text, masked.maskings) == (text, ())
    assert not Event.objects.filter(action=Action.PII_MASK).exists()


def test_kinds_limit_what_is_masked_for_others_but_never_secrets() -> None:
    masked = mask_third_parties(THREAD, SUBJECT, kinds=[Kind.EMAIL])
    assert "07 81 23 45 67" in masked.text
    assert "claire.petit" not in masked.text and "Azerty123" not in masked.text
