"""Source manifests: parse, validate and type the YAML describing an external database.

A manifest says where a database holds personal data (R4, Art. 30): every column's
register category and erasure strategy (Art. 17), how rows link to a person
(Art. 15 access needs every row), and each table's retention rule (Art. 5(1)(e)).
It is checked against the published JSON Schema (``docs/source-manifest.schema.json``),
then semantically (references exist, ``keep`` has a retention rule…). Every error
names its path, e.g. ``tables.glpi_users.columns.realname.erase``.

The connection URL holds a password: it is never in the manifest, only the name of
the environment variable or file holding it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from vigie.lib import safe_yaml
from vigie.sources.validation import check_semantics

SCHEMA_PATH = Path(__file__).with_name("manifest.schema.json")
Scalar = str | int | bool | None
#: A ``where`` value: a constant, or a tuple of constants meaning ``IN``.
Constant = Scalar | tuple[Scalar, ...]

STRATEGIES = ("delete_row", "null", "mask", "hash", "keep")


@dataclass(frozen=True)
class ManifestError:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class InvalidManifest(ValueError):
    """The manifest cannot be used; ``errors`` lists every problem with its path."""

    def __init__(self, errors: list[ManifestError]) -> None:
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors))


class ConnectionUnavailable(RuntimeError):
    """The manifest's ``url_env`` / ``url_file`` gives no URL; the message says which."""


@dataclass(frozen=True)
class Match:
    """Where a subject attribute is looked up: a column of the identity table, or of
    a lookup table whose ``key`` column holds the identity's key."""

    column: str
    table: str | None = None
    key: str | None = None
    where: Mapping[str, Constant] = field(default_factory=dict)


@dataclass(frozen=True)
class Identity:
    name: str
    table: str
    key: str
    match: Mapping[str, Match]


@dataclass(frozen=True)
class Through:
    """One hop: the rows of ``table`` whose ``column`` holds the previous hop's values
    (the identity's keys for the first hop) give their ``key`` to the next hop."""

    table: str
    column: str
    key: str
    where: Mapping[str, Constant] = field(default_factory=dict)


@dataclass(frozen=True)
class Like:
    """The link column holds the identity row's ``value`` column inside a fixed text:
    one of ``patterns``, SQL LIKE patterns where ``{}`` stands for the (escaped) value.

    An application that logs in its installation's language (GLPI) gives the patterns
    per language (``by_language``): ``patterns`` are then those of the languages the
    manifest's ``languages`` setting selects, read when used.
    """

    #: One column of the identity table, or several spelling a full name together
    #: (first name and surname: matched in their order and reversed).
    value: str | tuple[str, ...]
    fixed: tuple[str, ...] = ()
    by_language: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    languages: Languages | None = None

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.value,) if isinstance(self.value, str) else self.value

    @property
    def patterns(self) -> tuple[str, ...]:
        if not self.by_language:
            return self.fixed
        chosen = self.languages.selected() if self.languages else ()
        known = [lang for lang in chosen if lang in self.by_language] or list(self.by_language)
        return tuple(dict.fromkeys(p for lang in known for p in self.by_language[lang]))

    @property
    def all_patterns(self) -> tuple[str, ...]:
        return self.fixed + tuple(p for ps in self.by_language.values() for p in ps)


@dataclass(frozen=True)
class Languages:
    """The installation's languages: the environment variable ``env`` ("fr" or "fr,en"),
    else ``default``; empty: every language the manifest gives."""

    env: str
    default: tuple[str, ...] = ()

    def selected(self) -> tuple[str, ...]:
        value = os.environ.get(self.env, "").strip()
        if value:
            return tuple(v.strip().lower() for v in value.split(",") if v.strip())
        return self.default


@dataclass(frozen=True)
class Link:
    identity: str
    column: str | None = None
    #: Hops from the identity's keys to this table, in order (empty: a direct link).
    through: tuple[Through, ...] = ()
    references: str | None = None
    where: Mapping[str, Constant] = field(default_factory=dict)
    erase: bool = True
    like: Like | None = None


@dataclass(frozen=True)
class Follows:
    """A table without a date column expires with its parent row: this table's
    ``column`` equals the parent's ``references`` (by default its key)."""

    table: str
    column: str
    references: str | None = None
    where: Mapping[str, Constant] = field(default_factory=dict)


@dataclass(frozen=True)
class Retention:
    category: str
    start: str | None = None
    from_fiscal_year_close: bool = False
    action: str = "delete"
    follows: Follows | None = None
    #: The start column in words, {fr, en} (« date de clôture du ticket »), for people.
    start_label: Mapping[str, str] | None = None

    def start_text(self, lang: str) -> str:
        """The start event as a person reads it: its label, else the column name."""
        if self.start_label:
            return self.start_label.get(lang) or self.start_label.get("fr") or ""
        return self.start or ""


@dataclass(frozen=True)
class Column:
    name: str
    category: str | None = None
    erase: str | None = None
    mask: str | int | None = None
    #: The application versions having this column; empty: every version. A versioned
    #: column may be absent from a database (reflection tells), and is then skipped.
    versions: tuple[str, ...] = ()
    #: What of the person the column holds, when it identifies them (``name``,
    #: ``email``, ``login``): its values in the person's rows are searched for after
    #: an erasure (the residue check), in every text column.
    identifies: str | None = None
    #: R58: ``provided`` or ``observed`` when the column goes into a portability export.
    portable: str | None = None
    #: What of the person the column holds, for a rectification (Art. 16): the person
    #: attribute (``first_name``, ``phone``…) whose new value is written there.
    attribute: str | None = None
    #: Part of an issued legal document (an invoice): never altered (C. com. L123-22).
    issued: bool = False

    @property
    def personal(self) -> bool:
        return self.category is not None


@dataclass(frozen=True)
class Table:
    name: str
    key: tuple[str, ...] | None
    links: tuple[Link, ...]
    retention: Retention | None
    columns: Mapping[str, Column]
    #: What the table holds, {fr, en} (« Tickets »); manifests written before labels
    #: existed have none, and people then read the table name.
    label: Mapping[str, str] | None = None
    #: The application versions having this table; empty: every version.
    versions: tuple[str, ...] = ()
    #: R58 (docs/portability.md): the kind of every personal column of the table, the
    #: rows it is limited to (``portable_when``), and the link column naming the rows'
    #: author (``portable_author``; absent: the links that erase).
    portable: str | None = None
    portable_when: Mapping[str, Constant] = field(default_factory=dict)
    portable_author: str | None = None
    #: Rows of issued legal documents (invoices, credit notes, signed reports): a
    #: rectification never alters them (C. com. L123-22 « sans blanc ni altération »).
    issued: bool = False

    def portable_columns(self) -> list[tuple[Column, str]]:
        """The columns a portability export holds, each with its kind (a column's own
        mark, else the table's for a personal column): unmarked ones are never in it."""
        out = []
        for column in self.columns.values():
            kind = column.portable or (self.portable if column.personal else None)
            if kind:
                out.append((column, kind))
        return out

    def label_text(self, lang: str) -> str:
        if self.label:
            return self.label.get(lang) or self.label.get("fr") or self.name
        return self.name

    @property
    def personal_columns(self) -> list[Column]:
        return [c for c in self.columns.values() if c.personal]

    @property
    def categories(self) -> list[str]:
        return list(dict.fromkeys(c.category for c in self.personal_columns if c.category))


@dataclass(frozen=True)
class Connection:
    url_env: str | None = None
    url_file: str | None = None

    def url(self) -> str:
        """The SQLAlchemy URL, read now (a rotated password is picked up)."""
        if self.url_env:
            value = os.environ.get(self.url_env, "").strip()
            if not value:
                raise ConnectionUnavailable(
                    f"connection.url_env: the environment variable {self.url_env} is not set"
                )
            return value
        path = Path(self.url_file or "")
        try:
            value = path.read_text(encoding="utf-8").strip()
        except OSError as error:
            raise ConnectionUnavailable(
                f"connection.url_file: cannot read {path}: {error.strerror}"
            ) from None
        if not value:
            raise ConnectionUnavailable(f"connection.url_file: {path} is empty")
        return value


@dataclass(frozen=True)
class Manifest:
    source: str
    label: Mapping[str, str]
    system: str
    connection: Connection
    identities: Mapping[str, Identity]
    not_personal_tables: tuple[str, ...]
    tables: Mapping[str, Table]
    text: str = field(default="", compare=False, repr=False)
    #: The application versions the manifest describes; empty: not said.
    versions: tuple[str, ...] = ()
    languages: Languages | None = None

    def without_tables(self, absent: Iterable[str]) -> Manifest:
        """This manifest less the versioned tables ``absent`` from a database (another
        version of the application); links through them are dropped too."""
        gone = {name for name in absent if name in self.tables and self.tables[name].versions}
        if not gone:
            return self
        from dataclasses import replace

        tables = {
            name: replace(
                table,
                links=tuple(
                    link
                    for link in table.links
                    if not any(hop.table in gone for hop in link.through)
                ),
            )
            for name, table in self.tables.items()
            if name not in gone
        }
        return replace(self, tables=tables)

    @property
    def categories(self) -> set[str]:
        return {c for t in self.tables.values() for c in t.categories} | {
            t.retention.category for t in self.tables.values() if t.retention
        }


@cache
def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return loaded


def _path(parts: Iterable[Any]) -> str:
    return ".".join(str(p) for p in parts) or "(manifest)"


def _schema_errors(doc: Any) -> list[ManifestError]:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import best_match

    errors = []
    for error in Draft202012Validator(schema()).iter_errors(doc):
        # oneOf failures say "is not valid under any of the given schemas": the
        # closest branch's own error is the one a manifest author can act on.
        chosen = error
        if error.context:
            # Skip the branches that fail only on the value's kind (a mapping given
            # where "not_personal" was also allowed): the other branch says more.
            telling = [
                e
                for e in error.context
                if not (e.validator in ("const", "type") and not e.relative_path)
            ]
            chosen = best_match(telling or error.context)
        message = chosen.message
        if chosen.validator == "oneOf" and not chosen.context:
            # Valid under several branches: two alternatives given together.
            given = [
                "/".join(branch["required"])
                for branch in chosen.validator_value
                if isinstance(branch, dict) and "required" in branch
            ]
            message = "give only one of: " + ", ".join(given)
        elif chosen.validator is None and chosen.schema is False:
            # `erase`/`mask` on a `{category: not_personal}` column.
            message = "a not_personal column has no `erase` or `mask`: remove them"
        if chosen.path and chosen.path[-1] == "erase" and chosen.instance is None:
            message = 'YAML reads a bare null as "nothing": write erase: "null" in quotes'
        errors.append(ManifestError(_path(chosen.absolute_path), message))
    return sorted(errors, key=lambda e: e.path)


def parse_manifest(text: str, *, categories: set[str] | None = None, name: str = "") -> Manifest:
    """Parse and validate a manifest; ``categories`` (the register's) checks categories.

    Raises :class:`InvalidManifest` listing every error, each with its path. The YAML
    is read with the bounded loader (vigie.lib.safe_yaml): no alias bomb, no runaway
    nesting, no duplicate key.
    """
    try:
        doc = safe_yaml.load(text, name=name or "<string>")
    except yaml.YAMLError as error:
        where = safe_yaml.where(error, name or "(manifest)")
        raise InvalidManifest([ManifestError(where, f"not valid YAML: {error}")]) from None
    if not isinstance(doc, dict):
        raise InvalidManifest([ManifestError("(manifest)", "expected a YAML mapping")])
    errors = _schema_errors(doc)
    if errors:
        raise InvalidManifest(errors)
    manifest = _build(doc, text)
    semantic = [ManifestError(p, m) for p, m in check_semantics(manifest, categories)]
    if semantic:
        raise InvalidManifest(semantic)
    return manifest


def read_manifest(path: Path, *, categories: set[str] | None = None) -> Manifest:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidManifest([ManifestError(str(path), f"cannot read: {error}")]) from None
    return parse_manifest(text, categories=categories, name=path.name)


def _key(value: Any) -> tuple[str, ...] | None:
    if value is None:
        return None
    return (value,) if isinstance(value, str) else tuple(value)


def _where(value: Any) -> dict[str, Constant]:
    return {k: tuple(v) if isinstance(v, list) else v for k, v in (value or {}).items()}


def _through(value: Any) -> tuple[Through, ...]:
    if not value:
        return ()
    hops = [value] if isinstance(value, dict) else value
    return tuple(Through(h["table"], h["column"], h["key"], _where(h.get("where"))) for h in hops)


def _retention(spec: Any) -> Retention | None:
    if not spec:
        return None
    follows = spec.get("follows")
    return Retention(
        category=spec["category"],
        start=spec.get("start"),
        from_fiscal_year_close=spec.get("from") == "fiscal_year_close",
        action=spec.get("action", "delete"),
        start_label=spec.get("start_label"),
        follows=Follows(
            follows["table"],
            follows["column"],
            follows.get("references"),
            _where(follows.get("where")),
        )
        if follows
        else None,
    )


def _column(name: str, spec: Any) -> Column:
    if spec == "not_personal":
        return Column(name)
    versions = tuple(spec.get("versions") or ())
    if spec["category"] == "not_personal":
        return Column(name, versions=versions, portable=spec.get("portable"))
    return Column(
        name,
        spec["category"],
        spec["erase"],
        spec.get("mask"),
        versions,
        spec.get("identifies"),
        spec.get("portable"),
        spec.get("attribute"),
        bool(spec.get("issued", False)),
    )


def _like(spec: Any, languages: Languages | None) -> Like | None:
    if not spec:
        return None
    patterns = spec["patterns"]
    value = spec["value"] if isinstance(spec["value"], str) else tuple(spec["value"])
    if isinstance(patterns, dict):
        return Like(
            value,
            by_language={lang: tuple(p) for lang, p in patterns.items()},
            languages=languages,
        )
    return Like(value, fixed=tuple(patterns))


def _build(doc: dict[str, Any], text: str) -> Manifest:
    lang_spec = doc.get("languages")
    languages = (
        Languages(lang_spec["env"], tuple(lang_spec.get("default") or ())) if lang_spec else None
    )
    identities = {
        name: Identity(
            name=name,
            table=spec["table"],
            key=spec["key"],
            match={
                attr: Match(m["column"], m.get("table"), m.get("key"), _where(m.get("where")))
                for attr, m in spec["match"].items()
            },
        )
        for name, spec in (doc.get("identities") or {}).items()
    }
    tables = {}
    for name, spec in doc["tables"].items():
        links = []
        for link in spec.get("links") or []:
            links.append(
                Link(
                    identity=link["identity"],
                    column=link.get("column"),
                    through=_through(link.get("through")),
                    references=link.get("references"),
                    where=_where(link.get("where")),
                    erase=link.get("erase", True),
                    like=_like(link.get("like"), languages),
                )
            )
        tables[name] = Table(
            name=name,
            key=_key(spec.get("key")),
            links=tuple(links),
            retention=_retention(spec.get("retention")),
            columns={c: _column(c, cspec) for c, cspec in (spec.get("columns") or {}).items()},
            label=spec.get("label"),
            versions=tuple(spec.get("versions") or ()),
            portable=spec.get("portable"),
            portable_when=_where(spec.get("portable_when")),
            portable_author=spec.get("portable_author"),
            issued=bool(spec.get("issued", False)),
        )
    connection = doc["connection"]
    return Manifest(
        source=doc["source"],
        label=doc.get("label") or {"fr": doc["source"], "en": doc["source"]},
        system=doc.get("system", ""),
        connection=Connection(connection.get("url_env"), connection.get("url_file")),
        identities=identities,
        not_personal_tables=tuple(doc.get("not_personal_tables") or ()),
        tables=tables,
        text=text,
        versions=tuple(doc.get("versions") or ()),
        languages=languages,
    )
