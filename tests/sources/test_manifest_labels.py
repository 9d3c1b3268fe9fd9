"""Labels in manifests: every shipped table is named for people; old manifests still load."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.sources.helpdesk import HELPDESK_MANIFEST, ROOT
from vigie.sources.manifest import InvalidManifest, parse_manifest, read_manifest

SHIPPED = sorted((ROOT / "vigie" / "sources" / "manifests").glob("*.yaml"))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_table_of_a_shipped_manifest_has_a_label_in_both_languages(path: Path) -> None:
    manifest = read_manifest(path)
    assert manifest.label["fr"] and manifest.label["en"]
    unlabelled = [
        name
        for name, table in manifest.tables.items()
        if not (table.label and table.label.get("fr") and table.label.get("en"))
    ]
    assert unlabelled == []


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_retention_start_column_of_a_shipped_manifest_is_told_in_words(path: Path) -> None:
    manifest = read_manifest(path)
    untold = [
        name
        for name, table in manifest.tables.items()
        if table.retention is not None
        and table.retention.start is not None
        and not table.retention.start_label
    ]
    assert untold == []


def test_the_shipped_labels_are_those_of_the_data_map() -> None:
    glpi = read_manifest(ROOT / "vigie" / "sources" / "manifests" / "glpi.yaml")
    assert glpi.label["fr"] == "GLPI (assistance et parc)"
    tickets = glpi.tables["glpi_tickets"]
    assert tickets.label_text("fr") == "Tickets"
    assert tickets.retention is not None
    assert tickets.retention.start_text("fr") == "date de clôture du ticket"
    assert tickets.retention.start_text("en") == "date the ticket was closed"
    dolibarr = read_manifest(ROOT / "vigie" / "sources" / "manifests" / "dolibarr.yaml")
    assert dolibarr.tables["llx_facture"].label_text("fr") == "Factures"


def test_a_manifest_without_labels_loads_and_names_its_tables_by_their_names() -> None:
    manifest = parse_manifest(HELPDESK_MANIFEST)
    users = manifest.tables["users"]
    assert users.label is None
    assert users.label_text("fr") == "users"
    assert users.retention is not None
    assert users.retention.start_text("fr") == users.retention.start


def test_a_table_label_needs_both_languages() -> None:
    doc = yaml.safe_load(HELPDESK_MANIFEST)
    doc["tables"]["users"]["label"] = {"fr": "Utilisateurs"}
    with pytest.raises(InvalidManifest) as caught:
        parse_manifest(yaml.safe_dump(doc, allow_unicode=True))
    assert [e.path for e in caught.value.errors] == ["tables.users.label"]
    assert "'en' is a required property" in str(caught.value)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_retention_start_reads_as_french_on_the_data_map(path: Path) -> None:
    """The map says « à compter de la <start> »: a start told « dernier contact de l'agent »
    or « échéance » read « à compter de la dernier contact », « de la échéance »."""
    import re

    from django.utils import translation

    from vigie.sources.views import _retention_text

    manifest = read_manifest(path)
    with translation.override("fr"):
        texts = [_retention_text(manifest, table, {}) for table in manifest.tables.values()]
    wrong = [t for t in texts if re.search(r"\bde la (dernier |[aeiouyéèêh])", t, re.IGNORECASE)]
    assert texts and wrong == []
