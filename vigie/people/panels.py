"""Sections other domains add to a person's page, registered at start-up.

``people`` sits below ``consent`` (and later ``rights``, ``disclosures``…): it may
not import them. Each of those apps registers a panel here from its ``ready()``;
the person page then shows, in order, every panel that has something to say to
the signed-in account (a panel returns None when the role may not see it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from vigie.people.models import Person


@dataclass(frozen=True)
class Panel:
    template: str
    context: dict[str, Any]


PanelBuilder = Callable[[HttpRequest, Person], Panel | None]
_BUILDERS: dict[str, PanelBuilder] = {}


def register_person_panel(name: str, builder: PanelBuilder) -> None:
    """Add (or replace, by name) a section of the person page."""
    _BUILDERS[name] = builder


def person_panels(request: HttpRequest, person: Person) -> list[Panel]:
    panels = (build(request, person) for build in _BUILDERS.values())
    return [panel for panel in panels if panel is not None]
