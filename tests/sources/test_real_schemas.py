"""The shipped GLPI manifest against the real GLPI schemas (issue 12).

- Its `versions` marks are checked against the column facts of each version we have
  (tests/data/real-schemas): a mapped column no claimed version has is an error.
- `vigie sources check` passes on a database holding every table of GLPI 11.0.7 (and of a
  10.0.x shape), created once per backend for the module, on MariaDB and PostgreSQL.
- GLPI's login events are found in the installation's language (VIGIE_SOURCE_GLPI_LANGUAGES).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from django.core.management import call_command

from tests.sources.helpdesk import ROOT, fresh_database, policy_categories, policy_rules
from vigie.demo.shapes import dolibarr, glpi
from vigie.register.services import load_file
from vigie.sources.inventory import check_manifest, check_versions
from vigie.sources.manifest import InvalidManifest, Manifest, parse_manifest, read_manifest
from vigie.sources.sql import SqlSource
from vigie.sources.types import Subject

GLPI_MANIFEST = ROOT / "vigie" / "sources" / "manifests" / "glpi.yaml"
DOLIBARR_MANIFEST = ROOT / "vigie" / "sources" / "manifests" / "dolibarr.yaml"
FACTS = Path(__file__).resolve().parents[1] / "data" / "real-schemas"


def _glpi() -> Manifest:
    return read_manifest(GLPI_MANIFEST, categories=policy_categories())


def _columns(name: str) -> dict[str, list[str]]:
    tables = json.loads((FACTS / name).read_text("utf-8"))["tables"]
    return {table: [c[0] for c in columns] for table, columns in tables.items()}


GLPI_FACTS = {"11.0.7": _columns("glpi-11.0.7-columns.json")}
DOLIBARR_FACTS = {"25.0": _columns("dolibarr-25-columns.json")}


def _dolibarr() -> Manifest:
    return read_manifest(DOLIBARR_MANIFEST, categories=policy_categories())


def test_every_mapped_glpi_table_and_column_exists_in_the_versions_the_marks_claim() -> None:
    assert check_versions(_glpi(), GLPI_FACTS) == []


def test_a_mapped_column_no_claimed_version_has_is_an_error_not_silence() -> None:
    text = GLPI_MANIFEST.read_text("utf-8").replace(
        "      is_default: not_personal\n",
        "      is_default: not_personal\n      is_primary: not_personal\n",
        1,
    )
    problems = check_versions(parse_manifest(text, categories=policy_categories()), GLPI_FACTS)
    assert [(p.kind, p.path) for p in problems] == [
        ("version", "tables.glpi_useremails.columns.is_primary")
    ]
    # A 10-only mark on a column 11.0.7 has is wrong too.
    text = GLPI_MANIFEST.read_text("utf-8").replace(
        "      is_dynamic: not_personal\n      email: {category: identity-contact",
        '      is_dynamic: {category: not_personal, versions: ["10"]}\n'
        "      email: {category: identity-contact",
        1,
    )
    problems = check_versions(parse_manifest(text, categories=policy_categories()), GLPI_FACTS)
    assert [p.path for p in problems] == ["tables.glpi_useremails.columns.is_dynamic.versions"]


def test_a_versions_mark_outside_the_versions_the_manifest_claims_is_refused() -> None:
    text = GLPI_MANIFEST.read_text("utf-8").replace(
        "      is_dynamic: not_personal\n      email: {category: identity-contact",
        '      is_dynamic: {category: not_personal, versions: ["12"]}\n'
        "      email: {category: identity-contact",
        1,
    )
    with pytest.raises(InvalidManifest) as caught:
        parse_manifest(text, categories=policy_categories())
    assert [e.path for e in caught.value.errors] == [
        "tables.glpi_useremails.columns.is_dynamic.versions"
    ]


def test_login_event_patterns_follow_the_installation_languages(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    like = _glpi().tables["glpi_events"].links[0].like
    assert like is not None
    monkeypatch.delenv("VIGIE_SOURCE_GLPI_LANGUAGES", raising=False)
    assert set(like.patterns) == set(like.all_patterns) and len(like.patterns) == 4
    monkeypatch.setenv("VIGIE_SOURCE_GLPI_LANGUAGES", "fr")
    assert like.patterns == ("{} %", "Connexion échouée de {} depuis l'IP %")
    monkeypatch.setenv("VIGIE_SOURCE_GLPI_LANGUAGES", "en")
    assert like.patterns == (
        "{} %",
        "Failed login for {} from IP %",
        "Login for {} denied by authorization rules from IP %",
    )


@pytest.fixture(scope="module", params=["mariadb", "postgresql"])
def full_glpi_11(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A database with every table of GLPI 11.0.7, created once per backend for the module."""
    with fresh_database(request.param, tmp_path_factory.mktemp("glpi")) as url:
        engine = sa.create_engine(url)
        glpi.full_metadata("11").create_all(engine)
        engine.dispose()
        yield url


def test_sources_check_passes_on_a_full_glpi_11_database(full_glpi_11: str) -> None:
    report = check_manifest(_glpi(), policy_rules(), url=full_glpi_11)
    assert [str(p) for p in report.problems] == []
    assert report.tables == len(_glpi().tables) and report.personal_columns > 350


def test_sources_check_passes_on_a_full_glpi_10_shape(tmp_path: Path) -> None:
    with fresh_database("sqlite", tmp_path) as url:
        engine = sa.create_engine(url)
        glpi.full_metadata("10").create_all(engine)
        engine.dispose()
        report = check_manifest(_glpi(), policy_rules(), url=url)
    assert [str(p) for p in report.problems] == []
    assert report.tables == len(_glpi().tables) - len(glpi.ELEVEN_ONLY_TABLES & set(_glpi().tables))


def test_a_table_glpi_does_not_have_fails_the_check(tmp_path: Path) -> None:
    with fresh_database("sqlite", tmp_path) as url:
        engine = sa.create_engine(url)
        md = glpi.full_metadata("11")
        sa.Table(
            "glpi_plugin_fields_ticketfields", md, sa.Column("id", sa.Integer, primary_key=True)
        )
        md.create_all(engine)
        engine.dispose()
        report = check_manifest(_glpi(), policy_rules(), url=url)
    assert [p.path for p in report.problems] == [
        "tables.glpi_plugin_fields_ticketfields.columns.id"
    ]


# Messages that start with the login ("cdurand se connecte…", "cdurand log in…", "cdurand
# updates an item") are found in any language; a failed login only in its own (review7).
@pytest.mark.parametrize(("languages", "found"), [("fr", 3), ("en", 2), ("fr,en", 3)])
def test_a_french_glpi_login_event_is_found_when_the_source_says_french(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, languages: str, found: int
) -> None:
    monkeypatch.setenv("VIGIE_SOURCE_GLPI_LANGUAGES", languages)
    with fresh_database("sqlite", tmp_path) as url:
        engine = sa.create_engine(url)
        md = glpi.metadata("11")
        md.create_all(engine)
        with engine.begin() as conn:
            conn.execute(md.tables["glpi_users"].insert(), [{"id": 7, "name": "cdurand"}])
            conn.execute(
                md.tables["glpi_useremails"].insert(),
                [{"users_id": 7, "email": "camille.durand@exemple.fr"}],
            )
            conn.execute(
                md.tables["glpi_events"].insert(),
                [
                    {
                        "type": "system",
                        "service": "login",
                        "level": 3,
                        "items_id": 0,
                        "message": "cdurand se connecte depuis l'IP 192.0.2.10",
                    },
                    {
                        "type": "system",
                        "service": "login",
                        "level": 3,
                        "items_id": 0,
                        "message": "Connexion échouée de cdurand depuis l'IP 192.0.2.11",
                    },
                    {
                        "type": "system",
                        "service": "login",
                        "level": 3,
                        "items_id": 0,
                        "message": "cdurand log in from IP 192.0.2.12",
                    },
                    {
                        "type": "system",
                        "service": "login",
                        "level": 3,
                        "items_id": 0,
                        "message": "cdurandx se connecte depuis l'IP 192.0.2.13",
                    },
                ],
            )
        engine.dispose()
        # No erasure ran: nothing kept in an archive index (no Django database here).
        options = {"rules": policy_rules(), "kept_lookup": lambda _s, _r: []}
        with SqlSource(_glpi(), url=url, **options) as source:
            result = source.find(Subject(email=["camille.durand@exemple.fr"]))
    events = {row.key for row in result.rows if row.table == "glpi_events"}
    assert len(events) == found


def test_the_dolibarr_marks_match_the_25_facts_except_where_facts_and_migration_disagree() -> None:
    """The check finds exactly the three columns on which the facts file and Dolibarr's own
    21.0 -> 22.0 migration disagree: the migration adds llx_societe_rib.cci and drops
    llx_contratdet.price_ht and .remise, the facts file (a 20.0 install upgraded to 25.0) has
    the opposite. The manifest follows the migration; the check says so instead of staying
    silent."""
    problems = check_versions(_dolibarr(), DOLIBARR_FACTS)
    assert sorted(p.path for p in problems) == [
        "tables.llx_contratdet.columns.price_ht.versions",
        "tables.llx_contratdet.columns.remise.versions",
        "tables.llx_societe_rib.columns.cci",
    ]


@pytest.fixture(scope="module", params=["mariadb", "postgresql"])
def full_dolibarr_25(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A database with every table of Dolibarr 25, created once per backend for the module."""
    with fresh_database(request.param, tmp_path_factory.mktemp("dolibarr")) as url:
        engine = sa.create_engine(url)
        dolibarr.full_metadata().create_all(engine)
        engine.dispose()
        yield url


def test_sources_check_passes_on_a_full_dolibarr_25_database(full_dolibarr_25: str) -> None:
    report = check_manifest(_dolibarr(), policy_rules(), url=full_dolibarr_25)
    assert [str(p) for p in report.problems] == []
    assert report.tables == len(_dolibarr().tables)


def _command_check(cli_actor: Any, variable: str, url: str, manifest: Path) -> str:
    load_file(cli_actor, ROOT / "policies" / "semi-informatique.yaml")
    out = io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(variable, url)
        call_command("sources", "check", "--manifest", str(manifest), stdout=out)
    return out.getvalue()


@pytest.mark.django_db(databases=["default", "keys"])
def test_the_vigie_sources_check_command_passes_on_a_full_glpi_database(
    full_glpi_11: str, cli_actor: Any
) -> None:
    out = _command_check(cli_actor, "VIGIE_SOURCE_GLPI_URL", full_glpi_11, GLPI_MANIFEST)
    # 442 tables: the personal ones described, the others declared not personal.
    summary = f"glpi: {len(_glpi().tables)} personal table(s), "
    assert out.endswith("OK\n") and summary in out
    assert f"{442 - len(_glpi().tables)} not personal, 0 not described" in out


@pytest.mark.django_db(databases=["default", "keys"])
def test_the_vigie_sources_check_command_passes_on_a_full_dolibarr_database(
    full_dolibarr_25: str, cli_actor: Any
) -> None:
    out = _command_check(
        cli_actor, "VIGIE_SOURCE_DOLIBARR_URL", full_dolibarr_25, DOLIBARR_MANIFEST
    )
    summary = f"dolibarr: {len(_dolibarr().tables)} personal table(s), "
    assert out.endswith("OK\n") and summary in out
    assert " not personal, 0 not described" in out
