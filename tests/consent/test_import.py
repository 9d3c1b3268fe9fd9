"""CSV import (service and `consent_import` command): report, suppression, one line at a time."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from vigie.audit.actor import Actor
from vigie.audit.models import Event
from vigie.consent import services
from vigie.consent.importing import ImportFileError, import_csv
from vigie.consent.models import ConsentEvent, Kind, Method, Subscription
from vigie.people.models import Person
from vigie.people.services import find_by_email

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

HEADER = (
    "email,first_name,last_name,subject_types,source,source_name,"
    "partner_permission_ref,purpose,consent,collected_at\n"
)
WORDING = "J'accepte de recevoir les offres des partenaires de SEMI INFORMATIQUE."


def run(text: str):
    return import_csv(
        Actor.cli("test"), io.StringIO(HEADER + text), wording=WORDING, channel="salon-2026"
    )


def test_lines_are_imported_with_their_consent_and_provenance() -> None:
    report = run(
        "ana@exemple.fr,Ana,Lopez,prospect_B2C,partner,Partenaire SA,contrat-7,"
        "offres_partenaires,yes,2026-01-15\n"
        "bob@entreprise.fr,Bob,Martin,prospect_B2B;client_contact_B2B,subject,,,,no,\n"
    )
    assert report.as_dict() == {
        "read": 2,
        "imported": 2,
        "unchanged": 0,
        "suppressed": 0,
        "refused_b2c": 0,
        "organisations": 0,
        "errors": [],
        "nothing_changed": False,
    }
    ana = find_by_email("ana@exemple.fr")
    assert ana is not None and ana.art14_notice_pending
    event = ConsentEvent.objects.get(person=ana)
    assert (event.kind, event.method, event.wording) == (Kind.GRANT, Method.IMPORT, WORDING)
    assert (event.channel, event.proof_ref) == ("salon-2026", "contrat-7")
    assert timezone.localtime(event.occurred_at).isoformat() == "2026-01-15T00:00:00+01:00"
    assert event.collector == "cli:test"
    bob = find_by_email("bob@entreprise.fr")
    assert bob is not None and set(bob.subject_types) == {"prospect_B2B", "client_contact_B2B"}
    assert not Subscription.objects.filter(person=bob).exists()
    assert Event.objects.get(action="consent:import:run").extra == {
        "read": 2,
        "imported": 2,
        "unchanged": 0,
        "suppressed": 0,
        "refused_b2c": 0,
        "organisations": 0,
        "errors": 0,
        "nothing_changed": False,
    }


def test_a_suppressed_address_in_another_case_is_imported_without_marketing(
    make_person, subscribe, staff_actor
) -> None:
    person = make_person("stop@exemple.fr")
    subscribe(person, "offres_partenaires")
    services.withdraw(staff_actor, person, "offres_partenaires", method=Method.PHONE)
    # The person was forgotten since; their address stays on the suppression list.
    from vigie.people.services import shred_person

    shred_person(staff_actor, person)
    report = run(
        "  STOP@Exemple.FR ,Stop,Pub,prospect_B2C,subject,,,offres_partenaires,yes,2026-02-01\n"
    )
    assert (report.read, report.imported, report.suppressed, report.errors) == (1, 0, 1, [])
    again = find_by_email("stop@exemple.fr")
    assert again is not None and again.pk != person.pk
    assert not ConsentEvent.objects.filter(person=again).exists()


def test_each_bad_line_is_reported_with_its_number_and_the_others_are_imported() -> None:
    report = run(
        "not-an-address,A,B,prospect_B2C,subject,,,newsletter,yes,2026-01-01\n"
        "ok@exemple.fr,A,B,prospect_B2C,subject,,,newsletter,yes,2026-01-01\n"
        "c@exemple.fr,A,B,prospect_B2C,subject,,,spam,yes,2026-01-01\n"
        "d@exemple.fr,A,B,alien,subject,,,newsletter,yes,2026-01-01\n"
        "e@exemple.fr,A,B,prospect_B2C,subject,,,newsletter,maybe,2026-01-01\n"
        "f@exemple.fr,A,B,prospect_B2C,partner,,,newsletter,yes,2026-01-01\n"
        "g@exemple.fr,A,B,prospect_B2C,subject,,,newsletter,yes,hier\n"
        "h@exemple.fr,A,B,prospect_B2C,subject,,,newsletter,yes,\n"
    )
    assert report.imported == 1 and report.suppressed == 0
    assert [item["line"] for item in report.errors] == [2, 4, 5, 6, 7, 8, 9]
    assert "e-mail" in report.errors[0]["error"]
    assert "purpose" in report.errors[1]["error"]
    assert Person.objects.count() == 1


def test_a_file_without_the_columns_is_refused_whole() -> None:
    with pytest.raises(ImportFileError):
        import_csv(Actor.cli("t"), io.StringIO("email\na@b.fr\n"), wording=WORDING, channel="")


def test_the_command_prints_the_report(tmp_path, capsys) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text(
        HEADER + "zoe@exemple.fr,Zoé,Roux,prospect_B2C,subject,,,newsletter,oui,2026-03-01\n",
        encoding="utf-8",
    )
    call_command("consent_import", str(path), "--wording", WORDING)
    output = json.loads(capsys.readouterr().out)
    assert (output["read"], output["imported"], output["errors"]) == (1, 1, [])
    event = ConsentEvent.objects.get()
    assert (event.channel, event.collector) == ("import:contacts.csv", "cli:consent_import")
    with pytest.raises(CommandError):
        call_command("consent_import", str(tmp_path / "missing.csv"), "--wording", WORDING)


def test_a_file_with_the_former_purpose_key_imports_under_the_current_one() -> None:
    report = run("eve@exemple.fr,Eve,Roux,prospect_B2C,subject,,,offres_semi,yes,2026-02-01\n")
    assert (report.imported, report.errors) == (1, [])
    eve = find_by_email("eve@exemple.fr")
    assert ConsentEvent.objects.get(person=eve).purpose == "offres"
