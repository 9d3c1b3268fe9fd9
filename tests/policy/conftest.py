"""A register to render the policy from, and helpers to draft and publish versions."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from tests.register.conftest import MINIMAL
from vigie.audit.actor import Actor
from vigie.policy import services
from vigie.policy.models import PolicyVersion
from vigie.register.services import apply_document


@pytest.fixture
def register(db: None, cli_actor: Actor) -> dict[str, Any]:
    """The MINIMAL register, loaded; returns the document (a copy) for further changes."""
    doc = copy.deepcopy(MINIMAL)
    apply_document(cli_actor, copy.deepcopy(doc))
    return doc


@pytest.fixture
def change_register(cli_actor: Actor) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        apply_document(cli_actor, copy.deepcopy(doc))

    return change


@pytest.fixture
def draft(register: dict[str, Any], cli_actor: Actor) -> Callable[..., PolicyVersion]:
    def make(summary: str = "Mise à jour", **kwargs: Any) -> PolicyVersion:
        return services.create_draft(
            cli_actor,
            change_summary_fr=summary,
            change_summary_en=f"EN {summary}",
            material=kwargs.pop("material", False),
            **kwargs,
        )

    return make


@pytest.fixture
def published(
    draft: Callable[..., PolicyVersion], cli_actor: Actor
) -> Callable[..., PolicyVersion]:
    def make(summary: str = "Mise à jour", **kwargs: Any) -> PolicyVersion:
        return services.publish(cli_actor, draft(summary), **kwargs)

    return make
