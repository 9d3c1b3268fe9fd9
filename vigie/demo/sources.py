"""Demo sources: a GLPI-shaped helpdesk and a Dolibarr-shaped billing database.

`vigie demo` creates both once as SQLite files under ``var/``, fills them with
Faker fr_FR data in which some of the demo people appear (as GLPI users and
requesters, as Dolibarr contacts and private customers with 12 years of invoices),
and registers them with the shipped manifests, so that a new user sees one
person's data gathered from three places. The manifests are the shipped ones; only
their connection points at a URL file under ``var/sources/`` (the URL is never in a
manifest).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from django.conf import settings

from vigie.audit.actor import Actor
from vigie.demo.shapes import dolibarr as dolibarr_shape
from vigie.demo.shapes import glpi as glpi_shape
from vigie.demo.shapes.fill import SeedPerson, fill_dolibarr, fill_glpi
from vigie.people.models import Person
from vigie.people.services import PersonUnavailable, mark_also_in_sources, open_person
from vigie.sources.models import Source
from vigie.sources.services import register_source

MANIFESTS = Path(__file__).resolve().parent.parent / "sources" / "manifests"
#: How many demo people also appear in the helpdesk and the billing tool.
SEEDED = 40
LABELS = {"glpi": "GLPI", "dolibarr": "Dolibarr"}


def _seed_people(people: Sequence[Person]) -> tuple[list[SeedPerson], list[Person]]:
    seeds, seeded = [], []
    for person in people:
        try:
            data = open_person(person)
        except PersonUnavailable:
            continue
        if data.email and data.first_name and data.last_name:
            seeds.append(
                SeedPerson(data.email, data.first_name, data.last_name, data.phone or None)
            )
            seeded.append(person)
        if len(seeds) == SEEDED:
            break
    return seeds, seeded


def _manifest_with_url_file(name: str, url_file: Path) -> str:
    text = (MANIFESTS / f"{name}.yaml").read_text(encoding="utf-8")
    replaced, count = re.subn(
        r"^(connection:\n)  url_env: [A-Z0-9_]+$",
        rf"\1  url_file: {url_file}",
        text,
        count=1,
        flags=re.M,
    )
    if count != 1:
        raise RuntimeError(f"{name}.yaml: no `connection: url_env:` block to point at the demo")
    return replaced


def _create(name: str, metadata: sa.MetaData, fill: object, seeds: list[SeedPerson]) -> Path:
    var = Path(settings.VAR_DIR)
    database = var / f"demo-{name}.sqlite3"
    url_file = var / "sources" / f"{name}.url"
    url_file.parent.mkdir(parents=True, exist_ok=True)
    # A half-made file from an interrupted run is started over, never half-used.
    database.unlink(missing_ok=True)
    engine = sa.create_engine(f"sqlite:///{database}")
    try:
        metadata.create_all(engine)
        fill(engine, seeds)  # type: ignore[operator]
    finally:
        engine.dispose()
    url_file.write_text(f"sqlite:///{database}\n", encoding="utf-8")
    url_file.chmod(0o600)
    return url_file


def create_demo_sources(people: Sequence[Person] | None = None) -> list[str]:
    """Create, fill and register the two demo sources once; return the names created."""
    actor = Actor.cli("demo")
    people = list(people if people is not None else Person.objects.order_by("created_at")[:200])
    seeds, seeded = _seed_people(people)
    created = []
    for name, metadata, fill in (
        ("glpi", glpi_shape.metadata("11"), fill_glpi),
        ("dolibarr", dolibarr_shape.metadata(), fill_dolibarr),
    ):
        if Source.objects.filter(name=name).exists():
            continue
        url_file = _create(name, metadata, fill, seeds)
        register_source(actor, _manifest_with_url_file(name, url_file))
        # The people list marks them, so that a visitor finds someone to look up.
        mark_also_in_sources(actor, seeded, LABELS[name])
        created.append(name)
    return created
