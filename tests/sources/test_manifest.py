"""Manifests: schema and semantic errors name their path; the connection stays out of YAML."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.sources.helpdesk import (
    BILLING_MANIFEST,
    HELPDESK_MANIFEST,
    ROOT,
    helpdesk_manifest,
    policy_categories,
)
from vigie.sources.manifest import (
    SCHEMA_PATH,
    ConnectionUnavailable,
    InvalidManifest,
    parse_manifest,
    read_manifest,
)


def edited(change) -> str:
    doc = yaml.safe_load(HELPDESK_MANIFEST)
    change(doc)
    return yaml.safe_dump(doc, allow_unicode=True)


def errors_of(text: str, categories: set[str] | None = None) -> list[str]:
    with pytest.raises(InvalidManifest) as caught:
        parse_manifest(text, categories=categories)
    return [str(e) for e in caught.value.errors]


def test_the_published_schema_is_the_one_the_code_validates_with() -> None:
    published = json.loads((ROOT / "docs" / "source-manifest.schema.json").read_text("utf-8"))
    assert published == json.loads(SCHEMA_PATH.read_text("utf-8"))


def test_a_good_manifest_becomes_typed_frozen_values() -> None:
    manifest = helpdesk_manifest()
    users = manifest.tables["users"]
    assert users.columns["name"].erase == "mask" and users.columns["name"].mask == "[effacé]"
    assert users.columns["id"].personal is False
    assert users.retention is not None and users.retention.action == "anonymise"
    tickets = manifest.tables["tickets"]
    assert len(tickets.links[0].through) == 1 and tickets.links[0].through[0].where == {"type": 1}
    assert tickets.links[1].erase is False
    assert manifest.identities["user"].match["email"].table == "useremails"
    billing = parse_manifest(BILLING_MANIFEST, categories=policy_categories())
    assert billing.tables["invoices"].retention.from_fiscal_year_close is True
    with pytest.raises(AttributeError):
        manifest.source = "other"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        (
            lambda d: d["tables"]["users"]["columns"].update(realname={"category": "x"}),
            "tables.users.columns.realname",
            "'erase' is a required property",
        ),
        (
            lambda d: d["tables"]["users"]["columns"]["realname"].update(erase=None),
            "tables.users.columns.realname.erase",
            'write erase: "null" in quotes',
        ),
        (
            lambda d: d["tables"]["users"]["columns"]["realname"].update(erase="shred"),
            "tables.users.columns.realname.erase",
            "'shred' is not one of",
        ),
        (
            lambda d: d.update(source="GLPI!"),
            "source",
            "does not match",
        ),
        (
            lambda d: d["connection"].update(url_file="/run/secrets/x"),
            "connection",
            "give only one of: url_env, url_file",
        ),
        (
            lambda d: d["tables"]["tickets"]["links"][0].update(column="users_id"),
            "tables.tickets.links.0",
            "give only one of: column, through",
        ),
        (
            lambda d: d.update(password="hunter2"),
            "(manifest)",
            "Additional properties are not allowed ('password' was unexpected)",
        ),
    ],
)
def test_a_schema_error_names_its_path(change, path, message) -> None:
    errors = errors_of(edited(change))
    assert any(e.startswith(f"{path}: ") and message in e for e in errors), errors


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["identities"]["user"].update(table="glpi_users"),
            "identities.user.table: table 'glpi_users' is not described under `tables`",
        ),
        (
            lambda d: d["tables"]["followups"]["links"][0].update(identity="client"),
            "tables.followups.links.0.identity: no identity named 'client'",
        ),
        (
            lambda d: d["tables"]["tickets"]["links"][0]["through"].update(table="nowhere"),
            "tables.tickets.links.0.through.table: table 'nowhere' is not described",
        ),
        (
            lambda d: (
                d["tables"]["followups"].pop("retention")
                and d["tables"]["followups"]["columns"].update(
                    content={"category": "hotline-tickets", "erase": "keep"}
                )
            ),
            "tables.followups.columns.content.erase: keep needs a `retention` rule",
        ),
        (
            lambda d: d["tables"]["useremails"]["columns"].update(
                email={"category": "identity-contact", "erase": "keep"}
            ),
            "tables.useremails.columns: a table cannot mix delete_row and keep",
        ),
        (
            lambda d: d["tables"]["users"]["columns"]["realname"].update(mask="x"),
            "tables.users.columns.realname.mask: only meaningful with erase: mask",
        ),
        (
            lambda d: d["tables"]["users"]["columns"]["name"].pop("mask"),
            "tables.users.columns.name.mask: required with erase: mask",
        ),
        (
            lambda d: d["tables"]["users"]["columns"]["name"].update(category="hobbies"),
            "tables.users.columns.name.category: 'hobbies' is not a category of the register",
        ),
        (
            lambda d: d["tables"]["users"]["retention"].update(category="hobbies"),
            "tables.users.retention.category: 'hobbies' is not a category of the register",
        ),
        (
            lambda d: d["tables"]["useremails"]["retention"].update(action="anonymise"),
            "tables.useremails.retention.action: anonymise and a delete_row column contradict",
        ),
        (
            lambda d: d["not_personal_tables"].append("ticket*"),
            "tables.tickets: also matched by not_personal_tables pattern 'ticket*'",
        ),
    ],
)
def test_a_semantic_error_names_its_path(change, expected) -> None:
    errors = errors_of(edited(change), policy_categories())
    assert any(e.startswith(expected) for e in errors), errors


def test_broken_yaml_says_where() -> None:
    assert errors_of("source: [unclosed\n")[0].startswith("line 2")
    assert errors_of("- a list\n") == ["(manifest): expected a YAML mapping"]


def test_an_unreadable_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InvalidManifest, match="cannot read"):
        read_manifest(tmp_path / "missing.yaml")


def test_the_url_comes_from_the_named_variable_or_file(tmp_path: Path, monkeypatch) -> None:
    manifest = helpdesk_manifest()
    monkeypatch.delenv("VIGIE_TEST_SOURCE_HELPDESK_URL", raising=False)
    with pytest.raises(ConnectionUnavailable, match="VIGIE_TEST_SOURCE_HELPDESK_URL is not set"):
        manifest.connection.url()
    monkeypatch.setenv("VIGIE_TEST_SOURCE_HELPDESK_URL", "sqlite:///x.db")
    assert manifest.connection.url() == "sqlite:///x.db"

    secret = tmp_path / "url"
    from_file = parse_manifest(
        edited(lambda d: d.update(connection={"url_file": str(secret)})),
        categories=policy_categories(),
    )
    with pytest.raises(ConnectionUnavailable, match="cannot read"):
        from_file.connection.url()
    secret.write_text("  sqlite:///y.db\n")
    assert from_file.connection.url() == "sqlite:///y.db"
