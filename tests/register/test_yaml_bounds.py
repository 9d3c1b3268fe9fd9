"""Registers and manifests refuse alias bombs, runaway nesting and duplicate keys,
naming the file and the line (issue 11 #11)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from tests.register.conftest import MINIMAL
from vigie.lib import safe_yaml
from vigie.register.document import InvalidRegister
from vigie.register.models import Revision
from vigie.register.services import dump_yaml, load_file, parse_yaml
from vigie.sources.manifest import InvalidManifest, parse_manifest, read_manifest

ROOT = Path(__file__).resolve().parents[2]

#: "Billion laughs": nine lines whose aliases expand to 9⁹ (387 million) strings.
BOMB = "\n".join(
    [
        'version: 1\na: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
        *(
            f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]"
            for prev, name in zip("abcdefgh", "bcdefghi", strict=True)
        ),
    ]
)
DEEP = "version: 1\nnested: " + "[" * 10_000 + "]" * 10_000 + "\n"
DEEP_BLOCK = "version: 1\n" + "".join(f"{'  ' * i}k{i}:\n" for i in range(10_000)) + "\n"
DUPLICATE = "version: 1\ncontroller:\n  name: A\n  name: B\n"


def test_the_bomb_is_what_it_claims() -> None:
    # Without the bound, PyYAML reads it (sharing the lists), and expanding it would not end.
    assert yaml.safe_load(BOMB)["i"][0][0][0][0][0][0][0][0] == ["lol"] * 9


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        (BOMB, "aliases expand to more than", None),
        (DEEP, "nested more than 64 levels deep", 2),
        (DEEP_BLOCK, "nested more than 64 levels deep", None),
        (DUPLICATE, "duplicate key 'name' (first at line 3)", 4),
    ],
    ids=["alias-bomb", "10000-deep-flow", "10000-deep-block", "duplicate-key"],
)
def test_the_loader_refuses_with_the_place(text: str, message: str, line: int | None) -> None:
    started = time.process_time()
    with pytest.raises(safe_yaml.YamlRefused) as caught:
        safe_yaml.load(text, name="company.yaml")
    assert time.process_time() - started < 5  # loosely: not the minutes it took before
    assert message in str(caught.value)
    place = safe_yaml.where(caught.value, "?")
    assert place.startswith("company.yaml, line ")
    if line is not None:
        assert place.startswith(f"company.yaml, line {line}, column ")


def test_a_register_file_with_a_bomb_deep_nesting_or_a_duplicate_is_refused(
    db, tmp_path, cli_actor
) -> None:
    for name, text, expected in [
        ("bomb.yaml", BOMB, r"(?s)bomb\.yaml, line 7, column \d+: not valid YAML.*aliases expand"),
        ("deep.yaml", DEEP, r"(?s)deep\.yaml, line 2, column \d+: not valid YAML.*64 levels"),
        (
            "dup.yaml",
            DUPLICATE,
            r"(?s)dup\.yaml, line 4, column 3: not valid YAML"
            r".*duplicate key 'name' \(first at line 3\)",
        ),
    ]:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        with translation.override("en"), pytest.raises(InvalidRegister, match=expected):
            load_file(cli_actor, path)
    assert not Revision.objects.exists()


def test_the_cli_says_where_and_exits_non_zero(db, tmp_path, capsys) -> None:
    doc = dump_yaml(MINIMAL)
    # The same key twice at the top: the second `version` would have replaced the first.
    path = tmp_path / "company.yaml"
    path.write_text(doc + "version: 2\n", encoding="utf-8")
    with pytest.raises(CommandError), translation.override("en"):
        call_command("register", "load", str(path))
    err = capsys.readouterr().err
    last = len(doc.splitlines()) + 1
    assert f"company.yaml, line {last}, column 1" in err
    assert "duplicate key 'version'" in err
    assert not Revision.objects.exists()


def test_the_back_office_editor_refuses_a_duplicate_key_too() -> None:
    with (
        translation.override("en"),
        pytest.raises(
            InvalidRegister, match=r"(?s)^line 2, column 1: not valid YAML.*duplicate key 'key'"
        ),
    ):
        parse_yaml("key: a\nkey: b\n")


def test_a_manifest_with_a_bomb_or_a_duplicate_is_refused(tmp_path: Path) -> None:
    shipped = (ROOT / "vigie" / "sources" / "manifests" / "glpi.yaml").read_text("utf-8")
    for text, expected in [
        (BOMB, "aliases expand"),
        (DEEP, "64 levels"),
        (shipped + "source:\n  kind: mysql\n", "duplicate key 'source'"),
    ]:
        path = tmp_path / "glpi.yaml"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(InvalidManifest) as caught:
            read_manifest(path)
        (error,) = caught.value.errors
        assert error.path.startswith("glpi.yaml, line "), error.path
        assert expected in error.message
    with pytest.raises(InvalidManifest, match="duplicate key"):
        parse_manifest("a: 1\na: 2\n")


def test_vigie_s_own_files_load_as_before() -> None:
    for path in [
        ROOT / "policies" / "semi-informatique.yaml",
        *sorted((ROOT / "vigie" / "sources" / "manifests").glob("*.yaml")),
    ]:
        text = path.read_text("utf-8")
        assert safe_yaml.load(text, name=path.name) == yaml.safe_load(text)
