"""Permissions and CLI commands are documented (a missing one fails here)."""

from __future__ import annotations

from pathlib import Path

from vigie.accounts.permissions import Permission, Role
from vigie.cli import COMMANDS

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_every_permission_and_role_is_documented() -> None:
    text = (DOCS / "permissions.md").read_text(encoding="utf-8")
    missing = [p.value for p in Permission if f"`{p.value}`" not in text]
    missing += [r for r in Role.values if f"`{r}`" not in text]
    assert not missing


def test_every_vigie_command_is_documented() -> None:
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    missing = [name for name in COMMANDS if f"`vigie {name}" not in text]
    assert not missing
