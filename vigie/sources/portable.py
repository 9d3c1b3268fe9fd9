"""What a person may take away (Art. 20, R58): the rows they provided or their use of a service.

The manifests mark what is portable (``portable: provided | observed`` on a table or a
column, docs/portability.md); anything unmarked is left out: inferred scores, internal
notes, other people's data. Only the person's **own** rows are read: those the table's
``portable_author`` link column ties to them (the rows they wrote), else those the
links that erase reach (never an ``erase: false`` link: a technician's reply on the
person's ticket is the technician's record). ``portable_when`` narrows the rows further
(``is_private: 0``: no internal note).

Vigie's own store declares its portable part here (``BUILTIN_PORTABLE``): the person's
profile and contact points, their consents and their preferences.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from vigie.audit.actor import Actor
from vigie.audit.services import ObjectRef, record_read
from vigie.sources.sql_schema import row_key
from vigie.sources.types import Subject

if TYPE_CHECKING:
    from vigie.sources.sql import SqlSource

PROVIDED = "provided"
OBSERVED = "observed"

#: Vigie's own store: per table, the kind and the fields a person takes away. Internal
#: bookkeeping (where the record came from, notice dates, the outbox, suppression
#: hashes, segments: the company's targeting) is not the person's data to port.
BUILTIN_PORTABLE: Mapping[str, tuple[str, tuple[str, ...]]] = {
    "people.person": (PROVIDED, ("email", "first_name", "last_name", "phone", "job_title")),
    "people.contactpoint": (PROVIDED, ("kind", "usage", "value")),
    "consent.consentevent": (
        PROVIDED,
        ("purpose", "kind", "method", "wording", "channel", "occurred_at", "confirmed_at"),
    ),
    "consent.subscription": (PROVIDED, ("purpose", "status", "since")),
}
BUILTIN_LABELS: Mapping[str, Mapping[str, str]] = {
    "people.person": {"fr": "Profil", "en": "Profile"},
    "people.contactpoint": {"fr": "Coordonnées", "en": "Contact details"},
    "consent.consentevent": {"fr": "Consentements", "en": "Consents"},
    "consent.subscription": {"fr": "Préférences", "en": "Preferences"},
}


@dataclass
class PortableSection:
    """One table's portable rows for the person: each field with its kind."""

    source: str
    source_label: Mapping[str, str]
    table: str
    label: Mapping[str, str]
    fields: dict[str, str] = field(default_factory=dict)
    rows: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


def plain(value: Any) -> Any:
    """A value as JSON holds it: dates in ISO 8601, decimals as text, bytes left out."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return None
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def sql_sections(source: SqlSource, conn: sa.Connection, subject: Subject) -> list[PortableSection]:
    """The subject's portable rows of an external database, table by table."""
    schema = source.schema
    manifest = source.manifest
    keys = schema.identity_keys(conn, subject)
    sections = []
    for spec in manifest.tables.values():
        marked = spec.portable_columns()
        present = {c.name for c in schema.present(spec, [c for c, _k in marked])}
        marked = [(c, k) for c, k in marked if c.name in present]
        if not marked:
            continue
        if spec.portable_author:
            links = [
                link
                for link in spec.links
                if link.column == spec.portable_author and not link.through
            ]
        else:
            links = [link for link in spec.links if link.erase]
        conditions = [c for link in links for c in schema.link_conditions(spec, link, keys)]
        if not conditions:
            continue
        when = schema.constants(spec.name, spec.portable_when)
        primary = schema.primary_key(spec)
        columns = [schema.column(spec.name, c.name) for c, _k in marked]
        section = PortableSection(
            manifest.source,
            manifest.label,
            spec.name,
            spec.label or {"fr": spec.name, "en": spec.name},
            {c.name: k for c, k in marked},
        )
        seen: set[str] = set()
        for condition in conditions:
            query = sa.select(*primary, *columns).where(condition, *when).order_by(*primary)
            for row in conn.execute(query):
                key = row_key(row[: len(primary)])
                if key in seen:
                    continue
                seen.add(key)
                values = row[len(primary) :]
                section.rows.append(
                    (key, {c.name: plain(v) for (c, _k), v in zip(marked, values, strict=True)})
                )
        if section.rows:
            section.rows.sort(key=lambda r: r[0])
            sections.append(section)
    return sections


def builtin_sections(actor: Actor, subject: Subject) -> list[PortableSection]:
    """The portable part of what Vigie itself holds on the subject."""
    from vigie.sources.builtin import NAME, BuiltinSource

    label = {"fr": "Vigie", "en": "Vigie"}
    sections: dict[str, PortableSection] = {}
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for found in BuiltinSource(actor).find(subject).rows:
        if found.table not in BUILTIN_PORTABLE:
            continue
        kind, wanted = BUILTIN_PORTABLE[found.table]
        values = {k: plain(v) for k, v in found.values.items() if k in wanted}
        if not values:
            continue
        section = sections.setdefault(
            found.table,
            PortableSection(NAME, label, found.table, BUILTIN_LABELS[found.table]),
        )
        for name in values:
            section.fields[name] = kind
        row = rows.get((found.table, found.key))
        if row is None:
            row = rows[(found.table, found.key)] = {}
            section.rows.append((found.key, row))
        row.update(values)
    return list(sections.values())


def portable_subject(actor: Actor, subject: Subject) -> list[PortableSection]:
    """The subject's portable rows in Vigie and every enabled source (journaled read).

    A source that cannot answer raises ``SourceError``: an export must not silently
    miss a store.
    """
    from vigie.sources.services import list_sources, load_source, subject_ref

    sections = builtin_sections(actor, subject)
    for source in list_sources(enabled_only=True):
        with load_source(source.name) as engine:
            sections += engine.portable(subject)
    counts: dict[str, int] = {}
    for section in sections:
        counts[f"{section.source}.{section.table}"] = len(section.rows)
    record_read(
        actor,
        ObjectRef("sources.subject", subject_ref(subject)),
        view="sources.portable_subject",
        extra={"counts": counts},
    )
    return sections
