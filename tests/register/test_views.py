"""The register in the back-office: privacy lead edits, auditor reads, others are refused."""

from __future__ import annotations

import copy

import pytest
import yaml
from django.urls import reverse

from tests.register.conftest import MINIMAL
from vigie.audit.models import Event
from vigie.register.models import Revision
from vigie.register.services import apply_document, current_document


@pytest.fixture
def loaded(db, cli_actor) -> None:
    apply_document(cli_actor, copy.deepcopy(MINIMAL))


def _retention_form(**overrides: str) -> dict[str, str]:
    form = {
        "start_event_fr": "Fin de la relation",
        "start_event_en": "End of the relationship",
        "active_duration": "P5Y",
        "active_text_fr": "Relation + 5 ans",
        "active_text_en": "Relationship + 5 years",
        "archive_duration": "",
        "archive_text_fr": "N/A: pas d'archive",
        "archive_text_en": "",
        "final_action": "delete",
        "legal_reference": "Art. 5(1)(e) RGPD",
        "source": "proposed default",
        "reason": "revue annuelle",
    }
    form.update(overrides)
    return form


def test_the_auditor_reads_the_register_but_cannot_edit(loaded, signed_in, auditor) -> None:
    client = signed_in(auditor)
    page = client.get(reverse("register:home"))
    assert page.status_code == 200
    assert "Gestion des clients" in page.content.decode()
    url = reverse("register:edit-retention", args=["identity-contact"])
    assert client.get(url).status_code == 403
    assert client.post(url, _retention_form()).status_code == 403
    assert Revision.objects.count() == 1


def test_the_privacy_lead_edits_a_retention_rule(loaded, signed_in, privacy_lead) -> None:
    client = signed_in(privacy_lead)
    url = reverse("register:edit-retention", args=["identity-contact"])
    assert client.get(url).status_code == 200
    response = client.post(url, _retention_form())
    assert response.status_code == 302
    rule = current_document()["data_categories"][0]["retention"]
    assert rule["active_duration"] == "P5Y"
    assert rule["archive_text"] == "N/A: pas d'archive"
    revision = Revision.objects.get(number=2)
    assert (revision.author_type, revision.author_id, revision.reason) == (
        "user",
        str(privacy_lead.pk),
        "revue annuelle",
    )


def test_a_bad_duration_is_a_form_error_naming_the_field(loaded, signed_in, privacy_lead) -> None:
    url = reverse("register:edit-retention", args=["identity-contact"])
    response = signed_in(privacy_lead).post(url, _retention_form(active_duration="5 ans"))
    assert response.status_code == 400
    assert "data_categories[0].retention.active_duration" in response.content.decode()
    assert Revision.objects.count() == 1


def test_a_recipient_moved_outside_the_eea_without_safeguard_is_refused(
    loaded, signed_in, privacy_lead
) -> None:
    recipient = copy.deepcopy(MINIMAL["recipients"][0])
    recipient["country"] = "IN"
    url = reverse("register:edit-entry", args=["recipients", "datacenter"])
    form = {"content": yaml.safe_dump(recipient, allow_unicode=True), "reason": "nouvel hébergeur"}
    response = signed_in(privacy_lead).post(url, form)
    assert response.status_code == 400
    assert (
        "IN est hors de l&#x27;EEE et sans décision d&#x27;adéquation" in response.content.decode()
    )
    assert Revision.objects.count() == 1
    # With a safeguard the recipient itself is fine, but the activities still say
    # "no transfer": the register must not contradict itself (Art. 30(1)(e)).
    recipient["transfer_safeguard"] = "SCC: décision (UE) 2021/914"
    form["content"] = yaml.safe_dump(recipient, allow_unicode=True)
    response = signed_in(privacy_lead).post(url, form)
    assert response.status_code == 400
    assert "indiquez le transfert au lieu de N/A" in response.content.decode()
    assert current_document()["recipients"][0]["country"] == "FR"


def test_an_emptied_mandatory_field_is_refused_with_its_name(
    loaded, signed_in, privacy_lead
) -> None:
    activity = copy.deepcopy(MINIMAL["activities"][0])
    activity["recipients"] = []
    url = reverse("register:edit-entry", args=["activities", "client-management"])
    form = {"content": yaml.safe_dump(activity, allow_unicode=True), "reason": "x"}
    response = signed_in(privacy_lead).post(url, form)
    assert response.status_code == 400
    assert "activities[0].recipients: obligatoire : une liste non vide" in response.content.decode()


def test_a_french_reader_gets_the_error_in_french_with_the_choices_labels(
    loaded, signed_in, privacy_lead
) -> None:
    category = copy.deepcopy(MINIMAL["data_categories"][0])
    category["retention"]["final_action"] = "shred"
    url = reverse("register:edit-entry", args=["data_categories", category["key"]])
    form = {"content": yaml.safe_dump(category, allow_unicode=True), "reason": "x"}
    response = signed_in(privacy_lead).post(url, form)
    assert response.status_code == 400
    page = response.content.decode()
    # The path is a technical locator and stays as written; the rest reads in French,
    # each choice by its label with its code in parentheses.
    assert (
        "data_categories[0].retention.final_action: &#x27;shred&#x27; ne fait pas partie des "
        "choix : Suppression (delete), Anonymisation (anonymise)"
    ) in page
    assert "is not one of" not in page
    assert Revision.objects.count() == 1


def test_downloads_are_audited_with_their_scope(loaded, signed_in, auditor) -> None:
    response = signed_in(auditor).get(
        reverse("register:export"), {"format": "csv", "role": "controller"}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="registre-')
    event = Event.objects.get(action="register:register:export")
    assert event.extra == {"format": "csv", "as_of": None, "role": "controller", "lang": "fr"}
    assert event.actor_id == str(auditor.pk)


def test_bad_export_parameters_are_a_400(loaded, signed_in, auditor) -> None:
    client = signed_in(auditor)
    assert client.get(reverse("register:export"), {"format": "docx"}).status_code == 400
    assert (
        client.get(reverse("register:export"), {"format": "csv", "as_of": "hier"}).status_code
        == 400
    )
    old = client.get(reverse("register:export"), {"format": "csv", "as_of": "2001-01-01"})
    assert old.status_code == 404


def test_a_technician_cannot_see_the_register(loaded, signed_in, technician) -> None:
    assert signed_in(technician).get(reverse("register:home")).status_code == 403


def test_a_revision_page_shows_the_old_and_new_values(
    loaded, signed_in, privacy_lead, auditor
) -> None:
    url = reverse("register:edit-retention", args=["identity-contact"])
    signed_in(privacy_lead).post(url, _retention_form())
    page = signed_in(auditor).get(reverse("register:revision", args=[2])).content.decode()
    assert "data_categories[identity-contact].retention.active_duration" in page
    # Durations as words, never the ISO 8601 code.
    assert "<td>3 ans</td><td>5 ans</td>" in page
    assert "P3Y" not in page


def test_opening_a_processor_line_journals_the_read(loaded, signed_in, privacy_lead) -> None:
    url = reverse("register:edit-entry", args=["processor_register", "client-durand"])
    assert signed_in(privacy_lead).get(url).status_code == 200
    event = Event.objects.get(action="personal_data:read")
    assert (event.object_type, event.object_id) == ("register.processor_line", "client-durand")


def test_unknown_sections_and_keys_are_404(loaded, signed_in, privacy_lead) -> None:
    client = signed_in(privacy_lead)
    assert client.get(reverse("register:edit-entry", args=["nope", "x"])).status_code == 404
    assert (
        client.get(reverse("register:edit-entry", args=["activities", "nope"])).status_code == 404
    )
    assert client.get(reverse("register:edit-retention", args=["nope"])).status_code == 404
    assert client.get(reverse("register:revision", args=[99])).status_code == 404


def test_an_entry_larger_than_any_register_is_refused_before_it_is_parsed(
    loaded, signed_in, privacy_lead
) -> None:
    """A multi-megabyte entry (within the request limit) would hold a web worker for
    longer than its timeout while PyYAML reads it: the form refuses it unread."""
    import time

    from vigie.register.forms import MAX_ENTRY_YAML

    url = reverse("register:edit-entry", args=["recipients", "datacenter"])
    content = "key: datacenter\nname: " + "a" * 3_000_000 + "\n"
    started = time.monotonic()
    response = signed_in(privacy_lead).post(url, {"content": content, "reason": "gros"})
    assert time.monotonic() - started < 5
    assert response.status_code == 400
    assert f"au plus {MAX_ENTRY_YAML} caractères" in response.content.decode()
    assert Revision.objects.count() == 1
