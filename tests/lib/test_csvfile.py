"""The one CSV reader of the imports (issue 11 item 6): read whole, refused whole."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils import translation

from vigie.lib.csvfile import FIELD_LIMIT, CsvFileError, decode, read_table

VIGIE = Path(__file__).resolve().parents[2] / "vigie"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_the_separator_is_the_one_of_the_header_and_short_rows_are_padded() -> None:
    for sep in (",", ";", "\t"):
        table = read_table(f"Email{sep}Name\na@b.fr{sep}A\nc@d.fr\n", required=["email"])
        assert table.columns == ("email", "name")
        assert table.rows == [
            (2, {"email": "a@b.fr", "name": "A"}),
            (3, {"email": "c@d.fr", "name": ""}),
        ]


def test_a_quoted_field_over_two_lines_is_numbered_by_its_last_line() -> None:
    table = read_table('email,note\na@b.fr,"two\nlines"\nc@d.fr,x\n', required=["email"])
    assert [n for n, _row in table.rows] == [3, 4]


def test_blank_lines_are_skipped() -> None:
    assert len(read_table("email\n\na@b.fr\n,\n", required=["email"]).rows) == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "line 1: the file is empty"),
        ("name\nA\n", "line 1: missing column(s): email"),
        ("email,Email\na,b\n", "line 1: column(s) given twice: email"),
        ("email,name\na@b.fr,A\nc@d.fr,x,y\n", "line 3: 3 cells for 2 columns"),
        (
            "email\n" + "x" * (FIELD_LIMIT + 1) + "\n",
            f"line 2: a field is longer than {FIELD_LIMIT}",
        ),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_with_its_line(text, message) -> None:
    with pytest.raises(CsvFileError, match=re.escape(message)):
        read_table(text, required=["email"])


def test_the_field_bound_of_python_is_restored_after_reading() -> None:
    import csv

    before = csv.field_size_limit()
    read_table("email\n" + "x" * 200_000 + "\n", required=["email"])
    assert csv.field_size_limit() == before


def test_bytes_are_utf8_with_or_without_bom() -> None:
    assert decode("\ufeffemail\né@b.fr\n".encode()) == "email\né@b.fr\n"
    with pytest.raises(CsvFileError, match="line 2: the file is not UTF-8"):
        decode("email\né@b.fr\n".encode("latin-1"))


READERS = re.compile(r"csv\.(reader|DictReader)\(")


def test_only_the_csv_helper_reads_csv() -> None:
    """Finds every CSV import: any module of vigie/ that reads CSV must do it through
    vigie.lib.csvfile (read whole, field bound, line numbers)."""
    offenders = [
        str(path.relative_to(VIGIE))
        for path in VIGIE.rglob("*.py")
        if path.name != "csvfile.py" and READERS.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_a_quote_never_closed_refuses_the_file_naming_its_line() -> None:
    """A quote opened and never closed used to swallow every following line into one cell:
    the lines after it were neither imported nor reported (read 2 for a file of 4 rows)."""
    text = 'email;name\na@b.fr;A\nc@d.fr;"Dupont\ne@f.fr;E\ng@h.fr;G\n'
    with pytest.raises(CsvFileError, match=r"^line 3: .*quote"):
        read_table(text, required=["email"])
