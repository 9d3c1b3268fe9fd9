"""A category the plan erases against the manifest's ``keep`` (bank details, R53): a
column linking the row to the person that cannot be NULL is not nulled (Dolibarr's
``llx_societe_rib.fk_soc``: the whole erasure stopped on it), the row is deleted; a link
that can be NULL is cleared (tests/sources/test_engine.py)."""

from __future__ import annotations

from pathlib import Path

from vigie.sources.manifest import parse_manifest
from vigie.sources.sql_erase import effective_strategies
from vigie.sources.types import Erase, Keep

MANIFESTS = Path(__file__).resolve().parents[2] / "vigie" / "sources" / "manifests"


def _rib():
    manifest = parse_manifest((MANIFESTS / "dolibarr.yaml").read_text("utf-8"), name="dolibarr")
    return manifest.tables["llx_societe_rib"]


def test_erased_bank_details_delete_the_row_instead_of_nulling_its_link() -> None:
    strategies = effective_strategies(_rib(), {"bank-details": Erase()}, not_null={"fk_soc"})
    assert strategies["fk_soc"] == "delete_row"
    assert strategies["iban_prefix"] == "null"
    assert "keep" not in strategies.values()


def test_kept_bank_details_keep_every_column() -> None:
    import datetime as dt

    kept = Keep(ground="17(3)(b)", until=dt.date(2036, 12, 31))
    strategies = effective_strategies(_rib(), {"bank-details": kept})
    assert set(strategies.values()) == {"keep"}


def test_a_link_that_can_be_null_is_cleared() -> None:
    strategies = effective_strategies(_rib(), {"bank-details": Erase()}, not_null=())
    assert strategies["fk_soc"] == "null"
