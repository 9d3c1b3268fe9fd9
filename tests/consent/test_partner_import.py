"""Partner files are classified (issue 10 item 3; R8, R35, R36, R41).

A partner CSV of 145 rows — 120 professional addresses with job titles, 15 personal
mailboxes, 6 generic addresses, 4 already suppressed (one in another case with a trailing
space) — yields exactly: read 145, imported 120, suppressed 4, refused B2C 15,
organisations 6, in the service, on the back-office page and in the CLI's output.
Importing it again changes nothing, and the report says so.
"""

from __future__ import annotations

import json

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import router
from django.urls import reverse
from django.utils import translation

from vigie.audit.actor import Actor
from vigie.audit.models import Event
from vigie.consent import services
from vigie.consent.importing import import_csv
from vigie.consent.models import ConsentEvent, Method, SuppressionEntry
from vigie.consent.suppression import suppression_hash
from vigie.lib.crypto import normalise_email
from vigie.lib.mailboxes import is_generic_address, is_personal_address
from vigie.people.models import NameWord, Organisation, OrganisationKind, Person, PersonKey
from vigie.people.organisations import open_organisation_contact
from vigie.people.services import email_index, find_by_email, open_person, shred_person

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

HEADER = (
    "email;first_name;last_name;job_title;organisation;subject_types;source;source_name;"
    "partner_permission_ref;purpose;consent;collected_at;informed_of_opt_out\n"
)
PARTNER = "Salon IT Sud;contrat-2026-03;;non;01/03/2026;oui"
JOBS = ["DSI", "Responsable informatique", "RSSI", "Directrice technique", "Administrateur"]
WEBMAIL = [
    "jean.martin@gmail.com",
    "jmartin@hotmail.com",
    "martin.j@hotmail.fr",
    "j.martin@outlook.com",
    "jm@outlook.fr",
    "martin@live.fr",
    "jean@yahoo.fr",
    "jean@yahoo.com",
    "martin@orange.fr",
    "martin@free.fr",
    "martin@laposte.net",
    "martin@sfr.fr",
    "martin@wanadoo.fr",
    "martin@icloud.com",
    "Martin@Proton.ME",
]
GENERIC = [
    ("contact@acme-industrie.fr", "ACME Industrie"),
    ("info@bureau-conseil.fr", "Bureau Conseil"),
    ("accueil@clinique-du-parc.fr", ""),
    ("commercial@transports-roux.fr", "Transports Roux"),
    ("rh-paris@groupe-lambert.fr", "Groupe Lambert"),
    ("compta@atelier-bois.fr", "Atelier Bois"),
]
# Their owners objected or unsubscribed before; the file has one in another case and
# with a trailing space.
SUPPRESSED = [
    "opposant@entreprise-a.fr",
    "parti@entreprise-b.fr",
    "efface@entreprise-c.fr",
    "stop@entreprise-d.fr",
]
IN_FILE_SUPPRESSED = [
    "opposant@entreprise-a.fr",
    "parti@entreprise-b.fr",
    "efface@entreprise-c.fr",
    "Stop@Entreprise-D.FR ",
]


def partner_file() -> str:
    rows = [
        f"prenom{n}.nom{n}@societe{n % 40}.fr;Prénom{n};Nom{n};{JOBS[n % len(JOBS)]};"
        f"Société {n % 40};prospect_B2B;partner;{PARTNER}"
        for n in range(120)
    ]
    rows += [f"{a};Jean;Martin;DSI;;prospect_B2B;partner;{PARTNER}" for a in WEBMAIL]
    rows += [f"{a};;;;{org};prospect_B2B;partner;{PARTNER}" for a, org in GENERIC]
    rows += [f"{a};Ex;Client;DSI;;prospect_B2B;partner;{PARTNER}" for a in IN_FILE_SUPPRESSED]
    # Interleaved, as a real file is: suppressed and refused lines are not at the end.
    rows = rows[::2] + rows[1::2]
    assert len(rows) == 145
    return HEADER + "\n".join(rows) + "\n"


@pytest.fixture
def suppressed(make_person, subscribe, staff_actor) -> None:
    objector = make_person(SUPPRESSED[0])
    services.object_to_marketing(staff_actor, objector, method=Method.PHONE)
    leaver = make_person(SUPPRESSED[1])
    subscribe(leaver, "offres")
    services.withdraw(staff_actor, leaver, "offres", method=Method.POST)
    for address in SUPPRESSED[2:]:
        # Objected, then erased: only the suppression list remembers the address.
        gone = make_person(address)
        services.object_to_marketing(staff_actor, gone, method=Method.PHONE)
        shred_person(staff_actor, gone)


EXPECTED = {
    "read": 145,
    "imported": 120,
    "unchanged": 0,
    "suppressed": 4,
    "refused_b2c": 15,
    "organisations": 6,
    "errors": 0,
}
AGAIN = {**EXPECTED, "imported": 0, "unchanged": 126, "organisations": 0}


def _stored_anywhere(needles: list[str]) -> list[str]:
    """The needles found in any text of any row of any table (both databases)."""
    found = []
    for model in apps.get_models():
        using = router.db_for_read(model)
        for row in model.objects.using(using).values_list():
            text = " ".join(str(v) for v in row).lower()
            found += [n for n in needles if n in text]
    return found


def _snapshot() -> dict[str, int]:
    return {
        "people": Person.objects.count(),
        "keys": PersonKey.objects.count(),
        "names": NameWord.objects.count(),
        "organisations": Organisation.objects.count(),
        "consents": ConsentEvent.objects.count(),
        "suppression": SuppressionEntry.objects.count(),
    }


def test_the_lists_know_the_usual_personal_and_generic_mailboxes() -> None:
    assert all(is_personal_address(a) for a in WEBMAIL)
    assert is_personal_address("x@yahoo.co.uk") and is_personal_address("x@gmx.de")
    assert not is_personal_address("dsi@societe.fr")
    assert not is_personal_address("x@yahoo-partenaire.fr")
    assert all(is_generic_address(a) for a, _org in GENERIC)
    assert is_generic_address("Contact+salon@Acme.fr")
    assert not is_generic_address("prenom.nom@acme.fr")
    assert not is_generic_address("contacteur@acme.fr")


def test_the_lists_are_extended_by_settings(settings) -> None:
    assert not is_personal_address("x@fai-local.fr")
    assert not is_generic_address("sav@acme.fr")
    settings.PERSONAL_DOMAINS = ["fai-local.fr", "mailbox.*"]
    settings.GENERIC_LOCAL_PARTS = ["sav"]
    assert is_personal_address("x@fai-local.fr") and is_personal_address("x@mailbox.org")
    assert is_personal_address("x@gmail.com")  # the shipped list stays
    assert is_generic_address("sav@acme.fr") and is_generic_address("info@acme.fr")


def test_a_partner_file_is_classified(suppressed) -> None:
    before = _snapshot()
    report = import_csv(Actor.cli("test"), partner_file(), wording="", channel="import:salon.csv")
    assert report.counts() == EXPECTED
    assert not report.nothing_changed
    after = _snapshot()
    # 120 people; the two erased suppressed addresses are recorded again, without
    # marketing (R41: a match is flagged, never re-subscribed); no consent recorded.
    assert after["people"] - before["people"] == 122
    assert after["consents"] == before["consents"]
    assert after["organisations"] - before["organisations"] == 6

    # Professional contacts keep their job title (sealed) and their provenance (R8).
    person = find_by_email("prenom7.nom7@societe7.fr")
    assert person is not None
    assert open_person(person).job_title == JOBS[7 % len(JOBS)]
    assert person.job_title_sealed and b"Administrateur" not in bytes(person.job_title_sealed)
    assert (person.source, person.source_name, person.partner_permission_ref) == (
        "partner",
        "Salon IT Sud",
        "contrat-2026-03",
    )
    assert person.informed_of_opt_out_at is not None and person.art14_notice_pending

    # Personal mailboxes: nothing stored, not even the address, its blind index or hash.
    for address in WEBMAIL:
        assert find_by_email(address) is None
    traces = [
        *(normalise_email(a) for a in WEBMAIL),
        *(email_index(a) for a in WEBMAIL),
        *(suppression_hash(a) for a in WEBMAIL),
    ]
    assert _stored_anywhere(traces) == []
    # (The same search finds what was stored: the blind index of a person imported.)
    assert _stored_anywhere([email_index("prenom7.nom7@societe7.fr")])
    # Generic addresses: organisations' contacts, never people.
    contacts = {
        normalise_email(open_organisation_contact(o)): o
        for o in Organisation.objects.exclude(contact_email_sealed=None)
    }
    for address, name in GENERIC:
        assert find_by_email(address) is None
        organisation = contacts[address]
        assert organisation.name == (name or address.rpartition("@")[2])
        assert organisation.kind == OrganisationKind.PROSPECT
    # The suppressed ones, whatever their case: no marketing for them.
    for address in SUPPRESSED:
        recorded = find_by_email(address)
        assert recorded is not None
        assert not recorded.subscriptions.filter(status="subscribed").exists()
    # The journal has counts, never an address.
    event = Event.objects.get(action="consent:import:run")
    assert event.extra == {**EXPECTED, "nothing_changed": False}
    assert "@" not in json.dumps([e.extra for e in Event.objects.all()])

    again = import_csv(Actor.cli("test"), partner_file(), wording="", channel="import:salon.csv")
    assert again.counts() == AGAIN
    assert again.nothing_changed
    assert _snapshot() == after


def test_the_cli_prints_the_same_counts(suppressed, tmp_path, capsys) -> None:
    path = tmp_path / "partenaire.csv"
    path.write_text(partner_file(), encoding="utf-8")
    call_command("consent_import", str(path))
    output = json.loads(capsys.readouterr().out)
    assert {k: output[k] for k in EXPECTED if k != "errors"} == {
        k: v for k, v in EXPECTED.items() if k != "errors"
    }
    assert output["errors"] == [] and output["nothing_changed"] is False
    call_command("consent_import", str(path))
    output = json.loads(capsys.readouterr().out)
    assert output["imported"] == 0 and output["unchanged"] == 126
    assert output["nothing_changed"] is True


def test_the_page_shows_the_same_counts(
    suppressed, signed_in, privacy_lead, run_import_jobs
) -> None:
    """The page hands the file to the worker and answers at once with the job's page;
    once the worker ran the job, that page shows the report."""
    client = signed_in(privacy_lead)

    def upload():
        answer = client.post(
            reverse("consent:import"),
            {
                "file": SimpleUploadedFile("partenaire.csv", partner_file().encode("utf-8")),
                "wording": "",
            },
            HTTP_ACCEPT_LANGUAGE="fr",
        )
        assert answer.status_code == 302
        waiting = client.get(answer["Location"], HTTP_ACCEPT_LANGUAGE="fr")
        assert 'http-equiv="refresh"' in waiting.content.decode()
        assert 'data-count="read"' not in waiting.content.decode()
        assert run_import_jobs() == 1
        return client.get(answer["Location"], HTTP_ACCEPT_LANGUAGE="fr")

    with translation.override("fr"):
        response = upload()
    assert response.status_code == 200
    page = response.content.decode()
    for key, value in EXPECTED.items():
        assert f'data-count="{key}">{value}<' in page, key
    assert "B2C sans consentement" in page
    assert "Rien n’a changé" not in page and "Rien n'a changé" not in page

    with translation.override("fr"):
        response = upload()
    page = response.content.decode()
    for key, value in AGAIN.items():
        assert f'data-count="{key}">{value}<' in page, key
    assert "Rien n" in page and "a changé" in page


def _one(line: str):
    return import_csv(Actor.cli("test"), HEADER + line + "\n", wording="J'accepte.", channel="")


def test_a_personal_mailbox_with_a_consent_or_a_client_relation_is_imported() -> None:
    consent = "ana@gmail.com;Ana;L;;;prospect_B2C;subject;;;newsletter;oui;01/03/2026;non"
    client = "bob@orange.fr;Bob;M;;;client_individual_B2C;subject;;;;non;;non"
    assert _one(consent).counts()["imported"] == 1
    assert _one(client).counts()["imported"] == 1
    assert find_by_email("ana@gmail.com") and find_by_email("bob@orange.fr")


def test_a_generic_address_of_a_known_organisation(cli_actor) -> None:
    bare = Organisation.objects.create(name="Acme", kind=OrganisationKind.CLIENT_COMPANY)
    report = _one(f"contact@acme.fr;;;;ACME;client_contact_B2B;partner;{PARTNER}")
    assert report.counts()["organisations"] == 1 and Organisation.objects.count() == 1
    bare.refresh_from_db()
    assert open_organisation_contact(bare) == "contact@acme.fr"
    # Known with another contact address: it keeps it, and the line says why.
    report = _one(f"info@acme.fr;;;;Acme;prospect_B2B;partner;{PARTNER}")
    assert report.counts()["organisations"] == 0
    assert [e["line"] for e in report.errors] == [2]
    assert open_organisation_contact(bare) == "contact@acme.fr"
    assert Organisation.objects.count() == 1 and find_by_email("info@acme.fr") is None


def test_the_page_refuses_an_unreadable_file_whole(signed_in, privacy_lead) -> None:
    text = partner_file() + "x@societe.fr;" + "y" * 1_048_577 + "\n"
    response = signed_in(privacy_lead).post(
        reverse("consent:import"),
        {"file": SimpleUploadedFile("big.csv", text.encode()), "wording": ""},
    )
    assert response.status_code == 400
    assert "ligne 147 : un champ dépasse 1048576 caractères" in response.content.decode()
    assert Person.objects.count() == 0 and Organisation.objects.count() == 0


def test_a_role_word_at_a_personal_mailbox_is_a_person_not_an_organisation() -> None:
    """contact.dupont@gmail.com is a private individual's mailbox (R36: personal
    addresses are B2C), never an organisation's generic address: no organisation named
    « gmail.com », and the consent on the line is recorded, not lost."""
    consent = (
        "contact.dupont@gmail.com;Paul;Dupont;;;prospect_B2C;subject;;;newsletter;oui;"
        "01/03/2026;non"
    )
    report = _one(consent)
    assert report.counts()["imported"] == 1 and report.counts()["organisations"] == 0
    person = find_by_email("contact.dupont@gmail.com")
    assert person is not None
    assert person.subscriptions.filter(purpose="newsletter", status="subscribed").exists()
    client = "info@orange.fr;Bob;M;;;client_contact_B2B;subject;;;;non;;non"
    report = _one(client)
    assert report.counts()["imported"] == 1 and report.errors == []
    assert find_by_email("info@orange.fr") is not None
    assert not Organisation.objects.filter(name__in=["gmail.com", "orange.fr"]).exists()
    # Without consent, a prospect there is refused as before: nothing stored.
    report = _one(f"contact@gmail.com;;;;;prospect_B2B;partner;{PARTNER}")
    assert report.counts()["refused_b2c"] == 1 and find_by_email("contact@gmail.com") is None


def test_name_any_tld_matches_top_level_domains_not_a_company_subdomain() -> None:
    """``live.*`` / ``outlook.*`` stand for live.fr, outlook.com, yahoo.co.uk…: not for a
    company's own host (x@live.nation-events.com was refused as a private individual)."""
    for address in ["x@yahoo.co.uk", "x@hotmail.com.br", "x@live.fr", "x@gmx.de", "x@aol.com"]:
        assert is_personal_address(address), address
    for address in [
        "x@live.nation-events.com",
        "x@outlook.acme-industrie.fr",
        "x@hotmail.groupe-lambert.eu",
    ]:
        assert not is_personal_address(address), address


def test_a_generic_address_with_a_consent_keeps_its_consent() -> None:
    """info@acme.fr subscribed to the newsletter: the line's consent was dropped without a
    word (counted as an organisation, no consent, no error). A consent is a subscription
    act with its proof (R34): the line is imported with it; without consent the address
    is the organisation's contact as before."""
    line = "info@acme.fr;Paul;Dupont;;Acme;prospect_B2B;subject;;;newsletter;oui;01/03/2026;non"
    report = _one(line)
    assert report.counts()["imported"] == 1 and report.counts()["organisations"] == 0
    person = find_by_email("info@acme.fr")
    assert person is not None
    assert person.subscriptions.filter(purpose="newsletter", status="subscribed").exists()
    assert ConsentEvent.objects.filter(person=person).count() == 1
    assert not Organisation.objects.exists()


@pytest.mark.parametrize("name", ["ACME\u202eerffe", "ACME\u2067x", "ACME\u202bx"])
def test_an_organisation_name_with_a_text_direction_control_is_a_line_error(name: str) -> None:
    """A generic address's organisation is not a person: its name went straight to the
    organisation, without the bounds every person's name gets (issue 11, item 10)."""
    report = _one(f"contact@acme-industrie.fr;;;;{name};prospect_B2B;partner;{PARTNER}")
    assert report.counts()["organisations"] == 0
    assert report.counts()["errors"] == 1
    assert not Organisation.objects.exists()
    assert report.errors[0]["error"].startswith("organisation: ")
