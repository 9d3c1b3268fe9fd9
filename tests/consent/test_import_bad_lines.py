"""A bad CSV line never loses the others (issue 11 item 6).

The consent/partner import validates every line; good lines are imported, each bad one is
reported with its line number and reason. A file that cannot be read as a whole (not
UTF-8, a field past the size bound, a broken quote) is refused before anything is written.
"""

from __future__ import annotations

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from vigie.audit.actor import Actor
from vigie.consent.importing import FIELD_LIMIT, ImportFileError, import_csv
from vigie.people.models import Person
from vigie.people.services import find_by_email

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

HEADER = (
    "email,first_name,last_name,subject_types,source,source_name,"
    "partner_permission_ref,purpose,consent,collected_at\n"
)
WORDING = "J'accepte de recevoir la lettre d'information."


def line(address: str, collected: str = "2026-01-15", **kw: str) -> str:
    source_name = kw.get("source_name", "")
    return f"{address},Ana,Lopez,prospect_B2C,subject,{source_name},,newsletter,yes,{collected}\n"


BAD_DATES = [
    "2026-02-30",  # well formed, no such day: Django's parse_date raises ValueError
    "2026-13-45T10:00:00",
    "0001-01-01T00:00:00+14:00",  # before year 1 in UTC
    "31/02/2026",
]


@pytest.mark.parametrize("bad", BAD_DATES)
def test_an_invalid_date_is_reported_and_the_lines_after_it_are_imported(bad) -> None:
    text = HEADER + line("a@exemple.fr") + line("b@exemple.fr", bad) + line("c@exemple.fr")
    report = import_csv(Actor.cli("t"), io.StringIO(text), wording=WORDING, channel="")
    assert report.imported == 2
    assert [item["line"] for item in report.errors] == [3]
    assert "collected_at" in report.errors[0]["error"]
    assert find_by_email("c@exemple.fr") is not None
    assert find_by_email("b@exemple.fr") is None


def test_a_value_too_long_for_its_column_is_a_line_error() -> None:
    text = (
        HEADER
        + line("a@exemple.fr", source_name="x" * 201)
        + line("b" * 250 + "@exemple.fr")
        + line("c@exemple.fr")
    )
    report = import_csv(Actor.cli("t"), io.StringIO(text), wording=WORDING, channel="")
    assert report.imported == 1
    assert [item["line"] for item in report.errors] == [2, 3]
    assert "source_name" in report.errors[0]["error"]
    assert "email" in report.errors[1]["error"]


def test_the_cli_reports_a_bad_date_without_a_traceback(tmp_path, capsys) -> None:
    path = tmp_path / "partenaire.csv"
    path.write_text(
        HEADER + line("a@exemple.fr") + line("b@exemple.fr", "2026-02-30") + line("c@ex.fr"),
        encoding="utf-8",
    )
    call_command("consent_import", str(path), "--wording", WORDING)
    report = json.loads(capsys.readouterr().out)
    assert report["imported"] == 2
    assert report["errors"] == [{"line": 3, "error": report["errors"][0]["error"]}]
    assert "2026-02-30" in report["errors"][0]["error"]


def test_the_page_reports_a_bad_date_instead_of_a_500(
    signed_in, privacy_lead, run_import_jobs
) -> None:
    upload = SimpleUploadedFile(
        "partenaire.csv",
        (
            HEADER + line("a@exemple.fr") + line("b@exemple.fr", "2026-02-30") + line("c@ex.fr")
        ).encode(),
        content_type="text/csv",
    )
    client = signed_in(privacy_lead)
    answer = client.post(reverse("consent:import"), {"file": upload, "wording": WORDING})
    assert answer.status_code == 302
    assert run_import_jobs() == 1
    response = client.get(answer["Location"])
    assert response.status_code == 200
    page = response.content.decode()
    assert "2026-02-30" in page and Person.objects.count() == 2


def test_a_field_past_the_bound_refuses_the_whole_file_before_any_write(tmp_path) -> None:
    huge = "x" * (FIELD_LIMIT + 1)
    text = HEADER + line("a@exemple.fr") + f"b@exemple.fr,{huge},L,prospect_B2C,subject,,,,no,\n"
    with translation.override("en"), pytest.raises(ImportFileError) as error:
        import_csv(Actor.cli("t"), io.StringIO(text), wording=WORDING, channel="")
    assert str(error.value) == (
        f"line 3: a field is longer than {FIELD_LIMIT} characters, the most a CSV import reads"
    )
    assert Person.objects.count() == 0
    path = tmp_path / "huge.csv"
    path.write_text(text, encoding="utf-8")
    with translation.override("fr"), pytest.raises(CommandError, match="ligne 3 : un champ"):
        call_command("consent_import", str(path), "--wording", WORDING)
    assert Person.objects.count() == 0


def test_a_field_larger_than_python_s_default_bound_is_read() -> None:
    # Python's csv stops at 131,072 characters per field by default; Vigie reads up to
    # FIELD_LIMIT and the column's own bound decides (here: a line error, not a crash).
    assert FIELD_LIMIT > 131_072
    text = HEADER + line("a@exemple.fr", source_name="y" * 200_000) + line("b@exemple.fr")
    report = import_csv(Actor.cli("t"), io.StringIO(text), wording=WORDING, channel="")
    assert report.imported == 1 and [item["line"] for item in report.errors] == [2]


def test_a_file_not_in_utf8_is_refused_before_any_write(tmp_path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes((HEADER + line("a@exemple.fr") + line("é@exemple.fr")).encode("latin-1"))
    with (
        translation.override("en"),
        pytest.raises(CommandError, match="line 3: the file is not UTF-8"),
    ):
        call_command("consent_import", str(path), "--wording", WORDING)
    assert Person.objects.count() == 0


def test_the_page_refuses_a_file_past_the_request_bound(settings, signed_in, privacy_lead):
    """VIGIE_MAX_REQUEST_MB bounds every request body, an uploaded file too: Django does not
    apply DATA_UPLOAD_MAX_MEMORY_SIZE to files, and a 70 MB file was read whole into about
    1 GB of memory, then imported for hours inside one web request."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 4096
    text = HEADER + "".join(line(f"ana{n}@example.org") for n in range(60))
    assert len(text.encode()) > 4096
    with translation.override("fr"):
        response = signed_in(privacy_lead).post(
            reverse("consent:import"),
            {"file": SimpleUploadedFile("big.csv", text.encode()), "wording": WORDING},
            HTTP_ACCEPT_LANGUAGE="fr",
        )
    assert response.status_code == 400
    page = response.content.decode()
    assert "VIGIE_MAX_REQUEST_MB" in page and "vigie consent_import" in page
    assert Person.objects.count() == 0
