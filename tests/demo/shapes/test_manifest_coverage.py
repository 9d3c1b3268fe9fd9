"""The shipped GLPI and Dolibarr manifests cover their shapes column by column (R4).

Pure Python (YAML against SQLAlchemy metadata), independent of the sources engine: the engine's
`vigie sources check` does the same against live databases.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import Date, DateTime, MetaData

from vigie.demo.shapes import dolibarr, glpi

ROOT = Path(__file__).resolve().parents[3]
MANIFESTS = ROOT / "vigie" / "sources" / "manifests"
STRATEGIES = {"delete_row", "null", "mask", "hash", "keep"}


def _register_categories() -> set[str]:
    register = yaml.safe_load((ROOT / "policies" / "semi-informatique.yaml").read_text())
    return {category["key"] for category in register["data_categories"]}


def _manifest(name: str) -> dict[str, Any]:
    return yaml.safe_load((MANIFESTS / f"{name}.yaml").read_text(encoding="utf-8"))


def _shapes(name: str) -> list[MetaData]:
    return [glpi.metadata("11"), glpi.metadata("10")] if name == "glpi" else [dolibarr.metadata()]


def _columns(shapes: list[MetaData], table: str) -> set[str]:
    return {c.name for md in shapes if table in md.tables for c in md.tables[table].columns}


def _is_personal(entry: Any) -> bool:
    if entry == "not_personal":
        return False
    return isinstance(entry, dict) and entry.get("category") != "not_personal"


@pytest.mark.parametrize("name", ["glpi", "dolibarr"])
def test_every_shaped_column_is_mapped_and_every_mapped_column_exists(name: str) -> None:
    shapes, tables = _shapes(name), _manifest(name)["tables"]
    assert set(tables) == set().union(*(md.tables for md in shapes))
    for table, spec in tables.items():
        shaped, mapped = _columns(shapes, table), set(spec["columns"])
        assert shaped - mapped == set(), f"{table}: unmapped columns"
        # A mapped column absent from every shape exists only in other versions, and says so.
        for column in mapped - shaped:
            assert "versions" in spec["columns"][column], f"{table}.{column}"


def test_glpi_version_only_columns_are_marked_with_their_version() -> None:
    tables = _manifest("glpi")["tables"]
    eleven, ten = glpi.metadata("11"), glpi.metadata("10")
    for table, spec in tables.items():
        # A table of 11 only says so, and then its columns need no mark.
        assert spec.get("versions") == (None if table in ten.tables else ["11"]), table
        if table not in ten.tables:
            continue
        for column, entry in spec["columns"].items():
            in_11 = column in eleven.tables[table].c
            in_10 = column in ten.tables[table].c
            expected = None if in_11 and in_10 else ["11"] if in_11 else ["10"]
            versions = entry.get("versions") if isinstance(entry, dict) else None
            assert versions == expected, f"{table}.{column}"


@pytest.mark.parametrize("name", ["glpi", "dolibarr"])
def test_every_category_is_in_the_register_and_every_personal_column_has_a_strategy(
    name: str,
) -> None:
    categories = _register_categories()
    for table, spec in _manifest(name)["tables"].items():
        strategies = set()
        for column, entry in spec["columns"].items():
            if not _is_personal(entry):
                continue
            assert entry["category"] in categories, f"{table}.{column}"
            assert entry["erase"] in STRATEGIES, f"{table}.{column}"
            if entry["erase"] == "mask":
                assert "mask" in entry, f"{table}.{column}"
            strategies.add(entry["erase"])
        assert not {"delete_row", "keep"} <= strategies, f"{table} mixes delete_row and keep"


@pytest.mark.parametrize("name", ["glpi", "dolibarr"])
def test_every_table_with_personal_columns_has_a_retention_rule_on_a_real_date(name: str) -> None:
    categories, shapes = _register_categories(), _shapes(name)
    tables = _manifest(name)["tables"]
    for table, spec in tables.items():
        if not any(_is_personal(entry) for entry in spec["columns"].values()):
            continue
        retention = spec.get("retention")
        assert retention, f"{table} has personal columns but no retention rule"
        assert retention["category"] in categories
        if "follows" in retention:
            parent = retention["follows"]
            assert parent["table"] in tables and parent["column"] in _columns(shapes, table)
            continue
        start = [md.tables[table].c[retention["start"]] for md in shapes if table in md.tables]
        assert start and all(isinstance(c.type, Date | DateTime) for c in start), table


@pytest.mark.parametrize("name", ["glpi", "dolibarr"])
def test_links_name_known_identities_and_existing_columns(name: str) -> None:
    manifest, shapes = _manifest(name), _shapes(name)
    identities = manifest["identities"]
    for identity in identities.values():
        assert identity["key"] in _columns(shapes, identity["table"])
        for match in identity["match"].values():
            assert match["column"] in _columns(shapes, match.get("table", identity["table"]))
    for table, spec in manifest["tables"].items():
        for link in spec.get("links", []):
            assert link["identity"] in identities, table
            hops = link.get("through", [])
            for hop in [hops] if isinstance(hops, dict) else hops:
                assert {hop["column"], hop["key"]} <= _columns(shapes, hop["table"]), table
            own = {link.get("column"), link.get("references"), *link.get("where", {})} - {None}
            assert own <= _columns(shapes, table), table
    assert manifest["connection"] == {"url_env": f"VIGIE_SOURCE_{name.upper()}_URL"}


def test_invoices_are_kept_on_the_accounting_ground_from_the_fiscal_year_close() -> None:
    tables = _manifest("dolibarr")["tables"]
    for table in ("llx_facture", "llx_facture_fourn", "llx_paiement"):
        retention = tables[table]["retention"]
        assert retention["category"] == "billing-accounting"
        assert retention["from"] == "fiscal_year_close"
        erased = {e["erase"] for e in tables[table]["columns"].values() if _is_personal(e)}
        assert erased == {"keep"}, table


def test_a_shared_glpi_ticket_is_masked_never_deleted() -> None:
    tables = _manifest("glpi")["tables"]
    for table in ("glpi_tickets", "glpi_itilfollowups"):
        erased = {e["erase"] for e in tables[table]["columns"].values() if _is_personal(e)}
        assert "delete_row" not in erased and "mask" in erased, table
    # Only the requester's link erases a ticket; observers and technicians only find it.
    erasing = [link for link in tables["glpi_tickets"]["links"] if link.get("erase", True)]
    assert {link["through"]["where"]["type"] for link in erasing} == {1}
