"""Art. 14 notices: due a month after collection (C2), queued once, and marketing may
follow only once the notice is delivered (R9); what it says comes from the register."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from tests.policy.conftest import register  # noqa: F401 (fixture)
from vigie.consent.audience import check_audience
from vigie.mail.addressing import Outcome, To
from vigie.mail.models import Message
from vigie.mail.rendering import RenderError, render
from vigie.people.notices import record_outcome
from vigie.people.services import create_person
from vigie.people.tasks import overdue_notices, send_art14_notices
from vigie.register.services import apply_document, current_document, load_file

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

#: The shipped register: it describes partner-sourced prospecting.
SEMI = Path(__file__).parents[2] / "policies" / "semi-informatique.yaml"
COLLECTED = dt.datetime(2025, 2, 3, 14, 0, tzinfo=dt.UTC)
CNIL_BLOCK = (
    "3 Place de Fontenoy",
    "TSA 80715",
    "75334 PARIS CEDEX 07",
    "01 53 73 22 22",
    "cnil.fr",
)


@pytest.fixture
def partner_contact(cli_actor):
    return create_person(
        cli_actor,
        email="henri.lemoine@entreprise.fr",
        first_name="Henri",
        last_name="Lemoine",
        subject_types=["partner_sourced_contact", "prospect_B2B"],
        source="partner",
        source_name="Salon IT Sud",
        partner_permission_ref="contrat-2026-14",
        collected_at=timezone.now() - dt.timedelta(days=40),
        informed_of_opt_out=True,
    )


@pytest.fixture
def informed(cli_actor):
    """A partner contact of 03/02/2025, with the shipped register loaded."""
    load_file(cli_actor, SEMI)
    return create_person(
        cli_actor,
        email="henri.lemoine@entreprise.fr",
        first_name="Henri",
        last_name="Lemoine",
        job_title="DSI",
        subject_types=["partner_sourced_contact", "prospect_B2B"],
        source="partner",
        source_name="Salon IT Sud",
        partner_permission_ref="contrat-2025-14",
        collected_at=COLLECTED,
        informed_of_opt_out=True,
    )


def _render(person, language: str):
    return render("art14_notice", language, kind="service", refs={"person": str(person.pk)})


def _delivered(person) -> None:
    """What mail tells this app when the server accepted the notice."""
    message = Message.objects.get(person=person)
    record_outcome(Outcome(message.pk, To.of(person), "art14_notice", "sent", timezone.now()))


def test_an_unsent_notice_past_its_date_is_overdue_and_blocks_marketing(partner_contact) -> None:
    assert list(overdue_notices()) == [partner_contact]
    [result] = check_audience("offres", ["henri.lemoine@entreprise.fr"])
    assert result.reason == "ART14_NOTICE_PENDING"


def test_the_notice_is_queued_once_and_marketing_waits_for_its_delivery(
    partner_contact,
) -> None:
    assert send_art14_notices() == 1
    assert send_art14_notices() == 0
    message = Message.objects.get()
    assert (message.kind, message.template) == ("service", "art14_notice")
    # A reference only: the content is rendered from the register when it is sent.
    assert message.context == {"person": str(partner_contact.pk)}
    partner_contact.refresh_from_db()
    # Queued is not delivered (issue 10): still pending, still late, still blocked.
    assert partner_contact.art14_notice_sent_at is None
    assert list(overdue_notices()) == [partner_contact]
    [result] = check_audience("offres", ["henri.lemoine@entreprise.fr"])
    assert result.reason == "ART14_NOTICE_PENDING"
    # A failure changes nothing; a delivery does.
    record_outcome(
        Outcome(message.pk, To.of(partner_contact), "art14_notice", "failed", timezone.now())
    )
    partner_contact.refresh_from_db()
    assert partner_contact.art14_notice_sent_at is None
    _delivered(partner_contact)
    partner_contact.refresh_from_db()
    assert partner_contact.art14_notice_sent_at is not None
    assert list(overdue_notices()) == []
    assert check_audience("offres", ["henri.lemoine@entreprise.fr"])[0].allowed


def test_the_due_date_is_a_date_one_month_after_the_paris_day_of_collection(cli_actor) -> None:
    person = create_person(
        cli_actor,
        email="a@entreprise.fr",
        source="partner",
        source_name="Salon",
        partner_permission_ref="contrat",
        collected_at=COLLECTED,
    )
    person.refresh_from_db()
    assert person.art14_notice_due_at == dt.date(2025, 3, 3)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "fr",
            [
                "SEMI INFORMATIQUE (825 Rue André Ampère, 13290 Aix-en-Provence)",
                "de : Salon IT Sud, le 03/02/2025",
                "Prospecter les contacts professionnels transmis par des partenaires",
                "Intérêt légitime (art. 6(1)(f))",
                "Développer la clientèle professionnelle de SEMI",
                "Données professionnelles transmises par des partenaires",
                "Données reçues : adresse e-mail, prénom, nom, fonction.",
                "3 ans à compter de la collecte ou du dernier contact de votre part",
                "vous y opposer à tout moment",
                "droits d’accès, de rectification, d’effacement et de limitation",
                "réclamation auprès de la CNIL",
                "info.rgpd@semi-informatique.com",
            ],
        ),
        (
            "en",
            [
                "SEMI INFORMATIQUE (825 Rue André Ampère, 13290 Aix-en-Provence)",
                "from: Salon IT Sud, on 03/02/2025",
                "Market to business contacts provided by partners",
                "Legitimate interest (Art. 6(1)(f))",
                "Business data provided by partners",
                "Data received: e-mail address, first name, last name, job title.",
                "3 years from collection or from your last contact with us",
                "You may object at any time",
                "rights of access, rectification, erasure and restriction",
                "complaint with the CNIL",
                "info.rgpd@semi-informatique.com",
            ],
        ),
    ],
)
def test_the_notice_says_everything_art_14_requires_from_the_register(
    informed, language, expected
) -> None:
    """Issue 10, item 2: purpose (B2B prospecting) and legal basis, categories received,
    source, retention, rights with a one-click objection link, and the CNIL block."""
    rendered = _render(informed, language)
    text = " ".join(rendered.text.split())
    html = " ".join(rendered.html.split())
    for phrase in expected:
        assert phrase in text, phrase
    for item in CNIL_BLOCK:
        assert item in text and item in html, item
    assert "https://www.cnil.fr/fr/plaintes" in text
    [link] = re.findall(r"https?://\S+/u/\S+", rendered.text)
    assert f'href="{link}"' in rendered.html


def test_the_objection_link_objects_to_all_marketing_in_one_click(informed) -> None:
    [link] = re.findall(r"https?://[^/\s]+(/u/\S+)", _render(informed, "fr").text)
    response = Client().post(link, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    for purpose in ("newsletter", "offres", "offres_partenaires"):
        [result] = check_audience(purpose, ["henri.lemoine@entreprise.fr"])
        assert result.reason == "OBJECTED"


@pytest.mark.parametrize(
    ("language", "sentence"),
    [
        (
            "fr",
            "Destinataires : Prestataire d’envoi de courriels ; "
            "Fournisseurs de réseaux et de datacenter.",
        ),
        (
            "en",
            "Recipients: E-mail sending provider; Network and datacenter providers.",
        ),
    ],
)
def test_the_notice_names_the_recipients_of_the_data(informed, language, sentence) -> None:
    """Art. 14(1)(e): the recipients of the data, from the register: those of the
    activities the notice describes that receive the category it describes. The
    partners receive partner-sourced contacts only with their consent (a purpose the
    notice leaves out), so they are not named."""
    rendered = _render(informed, language)
    text = " ".join(rendered.text.split())
    assert sentence in text
    html = " ".join(rendered.html.split())
    assert sentence.split(":")[0].split(" ")[0] in html
    for name in sentence.split(":", 1)[1].strip(" .").split("; " if language == "en" else " ; "):
        assert name in html, name
    assert "Partenaires commerciaux" not in text and "Business partners" not in text


def test_the_notice_gives_the_data_protection_officer_when_there_is_one(
    informed, cli_actor
) -> None:
    """Art. 14(1)(b): the DPO's contact details, where the register names one (the
    shipped register says « N/A »: then nothing is said of a DPO)."""
    assert "délégué" not in _render(informed, "fr").text
    doc = current_document()
    doc["controller"]["dpo"] = {"name": "Claire Martin", "email": "dpo@semi-informatique.com"}
    apply_document(cli_actor, doc)
    for language, sentence in (
        (
            "fr",
            "Notre délégué à la protection des données est Claire Martin, joignable à "
            "dpo@semi-informatique.com.",
        ),
        (
            "en",
            "Our data protection officer is Claire Martin, who can be reached at "
            "dpo@semi-informatique.com.",
        ),
    ):
        rendered = _render(informed, language)
        assert sentence in " ".join(rendered.text.split())
        assert 'href="mailto:dpo@semi-informatique.com"' in rendered.html


def test_the_retention_is_the_registers_not_a_fixed_text(informed, cli_actor) -> None:
    doc = current_document()
    [category] = [c for c in doc["data_categories"] if c["key"] == "partner-sourced-data"]
    category["retention"]["active_text"] = {
        "fr": "18 mois à compter de la collecte",
        "en": "18 months from collection",
    }
    apply_document(cli_actor, doc)
    assert (
        "Durée de conservation : 18 mois à compter de la collecte." in _render(informed, "fr").text
    )
    assert "Retention period: 18 months from collection." in _render(informed, "en").text


def test_a_register_that_does_not_describe_the_processing_sends_no_notice(
    partner_contact,
    register,  # noqa: F811 (fixture)
) -> None:
    """Better no notice than one that does not say why: it stays due, and late."""
    with pytest.raises(RenderError, match="REGISTER_INCOMPLETE") as refused:
        _render(partner_contact, "fr")
    # The outbox says so in words (the message is closed as "RENDER: <reason>").
    from vigie.mail.outbox import reason_in_words

    closed = Message(status="failed", last_error=f"RENDER: {refused.value}")
    assert reason_in_words(closed).startswith("Le registre n’indique aucune finalité")
    with pytest.raises(RenderError, match="PERSON_ERASED"):
        render("art14_notice", "fr", kind="service", refs={"person": str(uuid.uuid4())})


def test_the_back_office_home_alerts_on_overdue_notices(
    partner_contact, signed_in, make_staff
) -> None:
    client = signed_in(make_staff("sales"))
    home = client.get("/backoffice/").content.decode()
    assert 'role="alert"' in home and "14" in home
    listed = client.get("/backoffice/people/?overdue=1").content.decode()
    assert str(partner_contact.pk)[:8] in listed
    send_art14_notices()
    # Queued is not enough: the alert goes only once the notice was delivered.
    assert 'role="alert"' in client.get("/backoffice/").content.decode()
    _delivered(partner_contact)
    assert 'role="alert"' not in client.get("/backoffice/").content.decode()


ATELIER = Path(__file__).parents[2] / "tests" / "register" / "atelier-numerique-dupont.yaml"


def _prospect(cli_actor, source: str):
    return create_person(
        cli_actor,
        email="julie.martin@entreprise.fr",
        first_name="Julie",
        last_name="Martin",
        job_title="DAF",
        subject_types=["prospect_B2B"],
        source=source,
        source_name="Annuaire des entreprises" if source == "public_source" else "Enrichissement",
        collected_at=COLLECTED,
    )


@pytest.mark.parametrize("source", ["public_source", "enrichment"])
def test_a_prospect_from_a_public_source_is_told_of_prospecting_only(cli_actor, source) -> None:
    """The notice of a B2B prospect collected from a public source or by enrichment
    gives the prospecting activity's purposes that concern a business prospect, with
    their legal basis, and the retention of prospect data — not the client relationship's
    retention, not the purposes of quotes, of individual clients or of other activities."""
    load_file(cli_actor, SEMI)
    person = _prospect(cli_actor, source)
    fr = " ".join(_render(person, "fr").text.split())
    en = " ".join(_render(person, "en").text.split())
    assert "Prospecter les professionnels par courriel ou téléphone" in fr
    assert "Market to business contacts by e-mail or telephone" in en
    assert "Intérêt légitime" in fr
    assert "Cibler les offres selon les services souscrits" in fr
    assert "3 ans à compter de la collecte ou du dernier contact émanant du prospect" in fr
    assert "3 years from collection or from the last contact coming from the prospect" in en
    for wrong in (
        "Durée de la relation, puis 3 ans après sa fin",
        "clients particuliers existants",
        "particuliers ayant donné leur consentement",
        "Répondre aux demandes d’information",
        "Intérêt légitime (art. 6(1)(f)) : Fidéliser",
        "Obligation légale",
        "partenaires",
    ):
        assert wrong not in fr, wrong
    assert fr.count("Intérêt légitime") == 2
    assert "Length of the relationship, then 3 years" not in en


def test_a_partner_contact_is_still_told_of_the_partner_activity(informed) -> None:
    fr = " ".join(_render(informed, "fr").text.split())
    assert "3 ans à compter de la collecte ou du dernier contact de votre part" in fr
    assert "Durée de la relation, puis 3 ans après sa fin" not in fr


def test_a_register_without_prospecting_sends_no_notice_to_a_public_source_prospect(
    cli_actor,
) -> None:
    load_file(cli_actor, ATELIER)
    person = _prospect(cli_actor, "public_source")
    with pytest.raises(RenderError, match="REGISTER_INCOMPLETE"):
        _render(person, "fr")
