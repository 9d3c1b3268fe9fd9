"""R22: the disclosure log, recorded from the person page, the API and a CSV file; an
unregistered recipient refused everywhere; the log found and erased with the person."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from vigie.accounts.permissions import Permission, Role
from vigie.accounts.services import create_api_key
from vigie.audit.actor import Actor
from vigie.audit.models import Event
from vigie.disclosures.importing import import_csv
from vigie.disclosures.models import Channel, Disclosure
from vigie.people.models import Person
from vigie.sources.types import Subject

from .conftest import ON_FILE
from .disclosure_helpers import COLLECTOR, SUBCONTRACTOR, WHEN, disclose_to_both

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


# -- the person page (staff) -----------------------------------------------------------


def test_a_dispatch_recorded_on_the_person_page_shows_in_words(
    signed_in, privacy_lead, claire: Person
) -> None:
    client = signed_in(privacy_lead)
    response = client.post(
        f"/backoffice/disclosures/{claire.pk}/record/",
        {
            "recipient": SUBCONTRACTOR,
            "categories": ["identity-contact", "hotline-tickets"],
            "disclosed_on": "2026-03-02",
            "reference": "intervention #123",
            "purpose": "interventions-remote-maintenance",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    disclosure = Disclosure.objects.get(person=claire)
    assert disclosure.recipient.key == SUBCONTRACTOR
    assert disclosure.channel == Channel.STAFF and disclosure.operator == privacy_lead
    page = client.get(f"/backoffice/people/{claire.pk}/").content.decode()
    assert "Prestataires et sous-traitants techniques" in page
    assert "Identité et coordonnées" in page and "02/03/2026" in page
    assert "intervention #123" in page
    # The same line again is the same disclosure.
    again = client.post(
        f"/backoffice/disclosures/{claire.pk}/record/",
        {
            "recipient": SUBCONTRACTOR,
            "categories": ["identity-contact", "hotline-tickets"],
            "disclosed_on": "2026-03-02",
            "reference": "intervention #123",
        },
    )
    assert again.status_code == 302
    assert Disclosure.objects.filter(person=claire).count() == 1


def test_the_form_refuses_an_unregistered_recipient_and_links_the_register(
    signed_in, privacy_lead, claire: Person
) -> None:
    response = signed_in(privacy_lead).post(
        f"/backoffice/disclosures/{claire.pk}/record/",
        {
            "recipient": "technicien-partenaire-sarl",
            "categories": ["identity-contact"],
            "disclosed_on": "2026-03-02",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "technicien-partenaire-sarl » n’est pas un destinataire du registre" in body
    assert 'href="/backoffice/register/#recipients"' in body
    assert not Disclosure.objects.exists()


def test_the_log_exported_runs_no_formula(signed_in, privacy_lead, claire: Person) -> None:
    import_csv(
        Actor.cli("test"),
        (
            "email;recipient;categories;disclosed_at;reference\n"
            f'{ON_FILE};{COLLECTOR};identity-contact;02/03/2026;"=HYPERLINK(""http://x"")"\n'
        ).encode(),
    )
    response = signed_in(privacy_lead).get(f"/backoffice/disclosures/{claire.pk}/export/")
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "\n=HYPERLINK" not in text.replace(";", "\n")
    assert "Cabinets de recouvrement de créances" in text and "02/03/2026" in text
    assert Event.objects.filter(action="personal_data:read", extra__view="disclosures:export")


# -- the API ---------------------------------------------------------------------------


def _token(make_staff, *scopes: Permission) -> str:
    owner = make_staff(Role.TECHNICIAN)
    return create_api_key(Actor.cli("t"), owner, name="glpi", scopes=list(scopes))[1]


def _post(client: Client, token: str, body: object):
    return client.post(
        "/api/v1/disclosures", body, content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )  # fmt: skip


def test_the_ticketing_software_logs_a_dispatch_once(client, make_staff, claire: Person) -> None:
    token = _token(make_staff, Permission.DISCLOSURES_RECORD)
    body = {
        "email": ON_FILE,
        "recipient": SUBCONTRACTOR,
        "categories": ["identity-contact", "hotline-tickets"],
        "disclosed_at": "2026-03-02T10:30:00+01:00",
        "reference": "intervention #123",
    }
    first = _post(client, token, body)
    assert first.status_code == 201, first.content
    assert first.json()["created"] is True and first.json()["person_id"] == str(claire.pk)
    again = _post(client, token, body)
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert again.json()["created"] is False
    by_id = _post(client, token, {**body, "email": "", "person_id": str(claire.pk)})
    assert by_id.status_code == 200
    disclosure = Disclosure.objects.get()
    assert disclosure.channel == Channel.API


@pytest.mark.parametrize(
    ("change", "status", "words"),
    [
        ({"recipient": "technicien-partenaire-sarl"}, 400, "enregistrez-le d’abord"),
        ({"categories": ["hobbies"]}, 400, "hobbies"),
        ({"email": "personne@ailleurs.example"}, 404, "No person"),
        ({"email": ""}, 400, "person_id or email"),
        ({"disclosed_at": "2026-03-02T10:30:00"}, 400, "time zone"),
        ({"disclosed_at": "2099-03-02T10:30:00+01:00"}, 400, "future"),
        ({"categories": []}, 422, "Invalid"),
    ],
)
def test_a_bad_disclosure_is_refused_with_why(
    client, make_staff, claire: Person, change: dict, status: int, words: str
) -> None:
    token = _token(make_staff, Permission.DISCLOSURES_RECORD)
    body = {
        "email": ON_FILE,
        "recipient": COLLECTOR,
        "categories": ["identity-contact"],
        "disclosed_at": "2026-03-02T10:30:00+01:00",
        **change,
    }
    response = _post(client, token, body)
    assert response.status_code == status, response.content
    assert words in response.json()["error"]["message"]
    assert not Disclosure.objects.exists()


def test_a_person_log_is_read_by_id_and_journaled(client, make_staff, claire: Person) -> None:
    disclose_to_both(claire)
    owner = make_staff(Role.SALES)
    token = create_api_key(Actor.cli("t"), owner, name="crm", scopes=[Permission.DISCLOSURES_VIEW])[
        1
    ]
    response = client.get(
        f"/api/v1/people/{claire.pk}/disclosures", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 200
    assert sorted(d["recipient"] for d in response.json()) == [COLLECTOR, SUBCONTRACTOR]
    assert Event.objects.filter(action="personal_data:read", extra__view="api:disclosures")
    refused = _post(client, token, {"email": ON_FILE})
    assert refused.status_code == 403


# -- the CSV import ----------------------------------------------------------------------

CSV = (
    "email;recipient;categories;disclosed_at;reference\n"
    f"{ON_FILE};{SUBCONTRACTOR};identity-contact|hotline-tickets;02/03/2026;intervention #123\n"
    f"{ON_FILE};technicien-partenaire-sarl;identity-contact;02/03/2026;intervention #124\n"
    f"{ON_FILE};{COLLECTOR};hobbies;02/03/2026;FAC-1\n"
    f"inconnu@ailleurs.example;{COLLECTOR};identity-contact;02/03/2026;FAC-2\n"
    f"{ON_FILE};{COLLECTOR};identity-contact;le 2 mars;FAC-3\n"
    f"{ON_FILE};{COLLECTOR};identity-contact|billing-accounting;2026-03-05;FAC-2026-0042\n"
)


def test_the_cli_import_reports_each_line_and_records_nothing_twice(
    tmp_path: Path, claire: Person
) -> None:
    path = tmp_path / "envois.csv"
    path.write_text(CSV, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    call_command("disclosures", "import", str(path), stdout=out, stderr=err)
    report = json.loads(out.getvalue())
    assert (report["read"], report["recorded"], report["already_there"]) == (6, 2, 0)
    reasons = {e["line"]: e["reason"] for e in report["errors"]}
    assert set(reasons) == {3, 4, 5, 6}
    assert "enregistrez-le d’abord" in reasons[3]
    assert "hobbies" in reasons[4]
    assert "le 2 mars" in reasons[6]
    assert "4 line(s) refused" in err.getvalue()
    again = io.StringIO()
    call_command("disclosures", "import", str(path), stdout=again, stderr=io.StringIO())
    second = json.loads(again.getvalue())
    assert (second["recorded"], second["already_there"], len(second["errors"])) == (0, 2, 4)
    assert Disclosure.objects.filter(person=claire, channel=Channel.IMPORT).count() == 2


def test_an_unreadable_file_is_refused_whole(tmp_path: Path, claire: Person) -> None:
    path = tmp_path / "envois.csv"
    path.write_text("recipient;categories;disclosed_at\nx;y;z\n", encoding="utf-8")
    with pytest.raises(CommandError, match="email ou person_id"):
        call_command("disclosures", "import", str(path), stdout=io.StringIO())
    path.write_bytes(b"email;recipient;categories;disclosed_at\n\xff\xfe;a;b;c\n")
    with pytest.raises(CommandError, match="nothing recorded"):
        call_command("disclosures", "import", str(path), stdout=io.StringIO())
    assert not Disclosure.objects.exists()


def test_the_back_office_upload_shows_the_report(signed_in, privacy_lead, claire: Person) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = signed_in(privacy_lead)
    upload = SimpleUploadedFile("envois.csv", CSV.encode(), content_type="text/csv")
    response = client.post("/backoffice/disclosures/import/", {"file": upload})
    assert response.status_code == 200
    body = response.content.decode()
    assert "enregistrez-le d’abord" in body and "hobbies" in body
    assert Disclosure.objects.count() == 2


# -- who may ---------------------------------------------------------------------------


def test_an_outsider_reaches_no_route_of_the_log(signed_in, outsider, auditor, claire) -> None:
    client = signed_in(outsider)
    for url, method in (
        (f"/backoffice/disclosures/{claire.pk}/record/", "post"),
        (f"/backoffice/disclosures/{claire.pk}/export/", "get"),
        ("/backoffice/disclosures/import/", "get"),
        ("/backoffice/disclosures/import/", "post"),
    ):
        assert getattr(client, method)(url).status_code == 403, url
    assert not Disclosure.objects.exists()
    # The auditor reads the log, never writes it.
    reader = signed_in(auditor)
    assert reader.get(f"/backoffice/disclosures/{claire.pk}/export/").status_code == 200
    assert reader.post(f"/backoffice/disclosures/{claire.pk}/record/").status_code == 403


def test_an_anonymous_caller_and_a_bare_key_get_nothing(client, make_staff, claire) -> None:
    assert client.get(f"/backoffice/disclosures/{claire.pk}/export/").status_code in (302, 403)
    assert _post(client, "vigie_nope_nope", {}).status_code == 401
    token = _token(make_staff, Permission.API_IDENTITY_VIEW)
    assert _post(client, token, {"email": ON_FILE}).status_code == 403
    got = client.get(
        f"/api/v1/people/{claire.pk}/disclosures", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert got.status_code == 403


# -- the built-in source -------------------------------------------------------------------


def test_the_log_is_found_and_erased_with_the_person(claire: Person) -> None:
    from vigie.sources.builtin import DISCLOSURE_TABLE, BuiltinSource

    disclose_to_both(claire)
    source = BuiltinSource(Actor.cli("test"))
    found = source.find(Subject(email=[ON_FILE]))
    rows = [r for r in found.rows if r.table == DISCLOSURE_TABLE]
    assert sorted(r.values["recipient"] for r in rows) == [COLLECTOR, SUBCONTRACTOR]
    assert {r.category for r in rows} == {"contract-services"}
    assert {r.values["disclosed_at"] for r in rows} == {WHEN}
    report = source.erase(Subject(email=[ON_FILE]))
    assert report.outcome(DISCLOSURE_TABLE).deleted == 2
    assert not Disclosure.objects.exists()


def test_date_fields_render_an_iso_value_a_date_input_can_show() -> None:
    """An ``<input type="date">`` takes only AAAA-MM-JJ: in French, a value written
    JJ/MM/AAAA is dropped by the browser (today's date lost, the required field empty)."""
    import datetime as dt

    from django.utils import timezone, translation

    from vigie.disclosures.forms import DisclosureForm
    from vigie.rights.death_views import DeathForm

    with translation.override("fr"):
        html = str(DisclosureForm()["disclosed_on"])
        assert f'value="{timezone.localdate():%Y-%m-%d}"' in html
        death = str(DeathForm(initial={"died_on": dt.date(2026, 3, 5)})["died_on"])
        assert 'value="2026-03-05"' in death
