"""The sources' only door for other apps: register, list, check, find and erase (R4, Art. 15, 17).

Reads of a subject's data are journaled (R29) and an erasure is an audit event,
both with counts per source and table, never the data itself; the subject is
named in the journal by a keyed hash of the attributes looked for.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from collections.abc import Iterable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from vigie.audit.actions import Action
from vigie.audit.actor import Actor
from vigie.audit.services import ObjectRef, record_event, record_read
from vigie.lib import keyring
from vigie.people.models import Person
from vigie.sources.builtin import NAME as BUILTIN
from vigie.sources.builtin import BuiltinSource
from vigie.sources.inventory import CheckReport, check_builtin, check_manifest
from vigie.sources.manifest import (
    ConnectionUnavailable,
    InvalidManifest,
    Manifest,
    ManifestError,
    parse_manifest,
)
from vigie.sources.models import Source
from vigie.sources.rules import register_rules
from vigie.sources.sql import SqlSource, UndescribedTables, database_errors
from vigie.sources.sql_dates import Anchor, anchors
from vigie.sources.sql_schema import SourceError, forget_schema
from vigie.sources.types import (
    ATTRIBUTES,
    EraseReport,
    FindResult,
    Plan,
    RectifyReport,
    ResidueState,
    Subject,
)


class UnknownSource(LookupError):
    """No registered source has that name."""


def register_categories() -> set[str]:
    return set(register_rules())


def register_source(actor: Actor, manifest_text: str) -> Source:
    """Validate a manifest against the schema and the current register, then store it.

    A manifest with the name of a registered source replaces it (a new GLPI version).
    """
    categories = register_categories()
    if not categories:
        raise InvalidManifest(
            [ManifestError("(register)", "no register is loaded: `vigie register load` first")]
        )
    manifest = parse_manifest(manifest_text, categories=categories)
    now = timezone.now()
    with transaction.atomic():
        source, created = Source.objects.update_or_create(
            name=manifest.source, defaults={"manifest": manifest_text, "updated_at": now}
        )
        record_event(
            actor,
            Action.SOURCE_REGISTER,
            source,
            extra={"created": created, "tables": len(manifest.tables)},
        )
    return source


def register_source_file(actor: Actor, path: Path) -> Source:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidManifest([ManifestError(str(path), f"cannot read: {error}")]) from None
    return register_source(actor, text)


def list_sources(*, enabled_only: bool = False) -> list[Source]:
    sources = Source.objects.all()
    return list(sources.filter(enabled=True) if enabled_only else sources)


def source_manifest(source: Source) -> Manifest:
    return _parsed(source.manifest)


def source_label(source: Source, language: str) -> tuple[str, bool]:
    """The source's label in ``language`` and whether its stored manifest still parses.

    A manifest stored before an upgrade may no longer validate: pages that list
    sources show it by name, marked invalid, instead of failing."""
    try:
        manifest = source_manifest(source)
    except InvalidManifest:
        return source.name, False
    return manifest.label.get(language, source.name), True


@functools.lru_cache(maxsize=32)
def _parsed(text: str) -> Manifest:
    # A manifest is immutable once parsed; parsing and validating the YAML at every
    # call cost a find on a small source as much as its queries.
    return parse_manifest(text)


def schema_key(source: Source) -> tuple[str, ...]:
    """What the source's reflected schema depends on, short of the URL (added by the
    engine): its manifest, and when it was changed or last checked. ``vigie sources
    check`` stores a new check time, so every process reflects the database again."""
    return (
        hashlib.sha256(source.manifest.encode("utf-8")).hexdigest(),
        source.updated_at.isoformat(),
        source.last_check_at.isoformat() if source.last_check_at else "",
    )


def load_source(name: str | Source, **options: Any) -> SqlSource:
    """The engine of a registered source, by name or as already read (``options``: batch
    size, progress hook…).

    Its reflected schema is shared with the other calls on the same source, in the
    same state (see ``schema_key``).
    """
    source = name if isinstance(name, Source) else Source.objects.filter(name=name).first()
    if source is None:
        raise UnknownSource(f"no registered source named {name!r}")
    return SqlSource(source_manifest(source), schema_key=schema_key(source), **options)


def subject_ref(subject: Subject) -> str:
    """A stable keyed pseudonym of the subject, for the journal (not reversible)."""
    key = keyring.derive_key("vigie:sources:subject-ref")
    text = repr(sorted(subject.attributes.items()))
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()[:16]


def find_subject(actor: Actor, subject: Subject) -> list[FindResult]:
    """The subject's rows in Vigie's store and every enabled source (Art. 15, R51).

    A source that cannot answer raises ``SourceError``: an access response must
    not silently miss a store.
    """
    results = [BuiltinSource(actor).find(subject)]
    for source in list_sources(enabled_only=True):
        with load_source(source) as engine:
            results.append(engine.find(subject))
    counts = {r.source: r.table_counts for r in results}
    record_read(
        actor,
        ObjectRef("sources.subject", subject_ref(subject)),
        view="sources.find_subject",
        extra={"counts": counts},
    )
    return results


def subject_dates(actor: Actor, subject: Subject) -> list[Anchor]:
    """Per table of every enabled source, the latest retention start in the subject's
    rows and how many are still open (R53: what an erasure plan's end dates count from);
    journaled like a find (dates of the person's rows are read)."""
    found: list[Anchor] = []
    for source in list_sources(enabled_only=True):
        with load_source(source.name) as engine, database_errors(engine):
            found += anchors(engine, subject)
    record_read(
        actor,
        ObjectRef("sources.subject", subject_ref(subject)),
        view="sources.subject_dates",
        extra={"tables": {f"{a.source}.{a.table}": a.rows for a in found}},
    )
    return found


def erase_subject(
    actor: Actor,
    subject: Subject,
    plan: Plan | None = None,
    *,
    accept_unmapped: bool = False,
) -> list[EraseReport]:
    """Erase the subject everywhere, or keep per ``plan`` (Art. 17, R53), then journal it.

    A source whose database holds tables or columns its manifest does not describe is
    refused before anything changes anywhere (``SourceError`` naming them), unless the
    privacy lead gives ``accept_unmapped``: its report then says incomplete and names
    them. After each source's erase, its residue check (what still holds one of the
    person's identifiers) is queued as a background job: the reports come back at once,
    pending (``ResidueState.PENDING``, ``EraseReport.residue_check`` its number), and
    ``vigie.sources.residue.refresh`` completes them once the job has run.

    External sources go first and Vigie's own store last: until the end, Vigie can
    still find the person again if the run is interrupted and started over.
    """
    with ExitStack() as stack:
        sources = list_sources(enabled_only=True)
        engines = {s.name: stack.enter_context(load_source(s)) for s in sources}
        # Each source's guard runs once, before anything changes anywhere; its answer is
        # handed to that source's erase below (no second look at the database's tables),
        # which runs on the same engine and connection pool.
        checked: dict[str, list[str]] = {}
        if not accept_unmapped:
            for source in sources:
                try:
                    checked[source.name] = engines[source.name].guard(
                        accept_unmapped=False, doing="erasure"
                    )
                except UndescribedTables:
                    raise
                except (SourceError, ConnectionUnavailable):
                    # A source that cannot be reached fails in the run below, which
                    # journals what was done before it (its own guard runs there too).
                    continue
        return _erase_all(actor, subject, plan, engines, checked, accept_unmapped)


def _erase_all(
    actor: Actor,
    subject: Subject,
    plan: Plan | None,
    engines: dict[str, SqlSource],
    checked: dict[str, list[str]],
    accept_unmapped: bool,
) -> list[EraseReport]:
    reports: list[EraseReport] = []
    current = ""
    try:
        for name, engine in engines.items():
            current = name
            reports.append(
                engine.erase(
                    subject,
                    plan,
                    accept_unmapped=accept_unmapped,
                    defer_residue=True,
                    undescribed=checked.get(name),
                )
            )
    except Exception as error:
        # What was done stays journaled even when a later source fails; the caller
        # sees the error and runs the erasure again (every step is safe to repeat).
        with transaction.atomic():
            _queue_checks(subject, reports, plan or {})
            _record_erasure(actor, subject, reports, failed=(current, type(error).__name__))
        raise
    with transaction.atomic():
        _queue_checks(subject, reports, plan or {})
        reports.append(BuiltinSource(actor).erase(subject, plan))
        _record_erasure(actor, subject, reports)
    return reports


class InvalidChanges(ValueError):
    """A rectification names an attribute no source knows (the message says which)."""


def rectify_subject(
    actor: Actor, subject: Subject, changes: dict[str, Any], *, person: Person | None = None
) -> list[RectifyReport]:
    """Write the corrected values (person attribute → new value) in every enabled source
    and in Vigie's own store (Art. 16, R54); one transaction per source.

    Each report gives the old value of every place changed (for the caller to keep
    sealed: never logged), the attributes a source holding the person does not map
    (``unmapped``: someone must look there) and its issued documents, left as they were.
    External sources go first and Vigie's store last, so that an interrupted run can
    find the person again and be run once more (a second run changes nothing twice).
    The audit event counts places per source and table, and names attributes only.
    ``person``: in Vigie's store, only that person (others may share an address).
    """
    unknown = sorted(set(changes) - set(ATTRIBUTES))
    if unknown:
        raise InvalidChanges(f"unknown person attributes: {', '.join(unknown)}")
    if not changes:
        return []
    reports: list[RectifyReport] = []
    current = ""
    try:
        for source in list_sources(enabled_only=True):
            current = source.name
            with load_source(source.name) as engine:
                reports.append(engine.rectify(subject, changes))
        current = BUILTIN
        with transaction.atomic():
            reports.append(BuiltinSource(actor).rectify(subject, changes, person=person))
            _record_rectification(actor, subject, changes, reports)
    except Exception as error:
        with transaction.atomic():
            _record_rectification(
                actor, subject, changes, reports, failed=(current, type(error).__name__)
            )
        raise
    return reports


def _record_rectification(
    actor: Actor,
    subject: Subject,
    changes: dict[str, Any],
    reports: list[RectifyReport],
    failed: tuple[str, str] | None = None,
) -> None:
    extra: dict[str, Any] = {
        "attributes": sorted(changes),
        "sources": {r.source: r.table_counts for r in reports},
    }
    unmapped = {r.source: r.unmapped for r in reports if r.unmapped}
    if unmapped:
        extra["unmapped"] = unmapped
    issued = {r.source: r.issued for r in reports if r.issued}
    if issued:
        extra["issued"] = issued
    if failed is not None:
        extra["failed"] = {"source": failed[0], "error": failed[1]}
    record_event(
        actor,
        Action.SUBJECT_RECTIFY,
        ObjectRef("sources.subject", subject_ref(subject)),
        extra=extra,
    )


def _queue_checks(subject: Subject, reports: list[EraseReport], plan: Plan) -> None:
    from vigie.sources.residue import queue_residue_check

    for report in reports:
        if report.residue_state is ResidueState.PENDING and report.residue_check is None:
            queue_residue_check(report, subject_ref(subject), plan)


def _record_erasure(
    actor: Actor,
    subject: Subject,
    reports: list[EraseReport],
    failed: tuple[str, str] | None = None,
) -> None:
    extra: dict[str, Any] = {
        "sources": {
            r.source: {table: [o.deleted, o.updated, o.kept] for table, o in r.tables.items()}
            for r in reports
        },
        "kept": {
            r.source: {c: [g, str(d or "")] for c, (g, d) in r.kept_categories.items()}
            for r in reports
        },
    }
    incomplete = {r.source: r.undescribed for r in reports if r.incomplete}
    if incomplete:
        extra["incomplete"] = incomplete
    residue: dict[str, dict[str, dict[str, int]]] = {}
    for report in reports:
        for found in report.residue:
            residue.setdefault(report.source, {}).setdefault(found.table, {})[found.column] = (
                found.rows
            )
    if residue:
        extra["residue"] = residue
    checks = {r.source: r.residue_check for r in reports if r.residue_check is not None}
    if checks:
        # The residue checks run as jobs: each journals its own result.
        extra["residue_checks"] = checks
    if failed is not None:
        extra["failed"] = {"source": failed[0], "error": failed[1]}
    record_event(
        actor, Action.SUBJECT_ERASE, ObjectRef("sources.subject", subject_ref(subject)), extra=extra
    )


def check_sources(
    actor: Actor, *, names: Iterable[str] | None = None, manifests: Iterable[Manifest] = ()
) -> list[CheckReport]:
    """Run the inventory check (R4) on Vigie's own store and the registered sources (all
    by default; ``names`` may include ``"vigie"``) and on ad-hoc manifests; registered
    sources keep their last result."""
    rules = register_rules()
    reports = []
    wanted = set(names) if names is not None else None
    if wanted is None or BUILTIN in wanted:
        # Vigie's own store first: it is a source like the others (R4).
        report = check_builtin(rules)
        with transaction.atomic():
            record_event(
                actor,
                Action.SOURCE_CHECK,
                ObjectRef("sources.source", BUILTIN),
                extra={"ok": report.ok, "problems": len(report.problems)},
            )
        reports.append(report)
    for source in list_sources():
        if wanted is not None and source.name not in wanted:
            continue
        report = check_manifest(source_manifest(source), rules)
        # The database may have changed (an upgrade): this process reflects it again;
        # others see the new check time in the key.
        forget_schema(source.name)
        with transaction.atomic():
            Source.objects.filter(pk=source.pk).update(
                last_check_at=timezone.now(), last_check=report.as_json()
            )
            record_event(
                actor,
                Action.SOURCE_CHECK,
                source,
                extra={"ok": report.ok, "problems": len(report.problems)},
            )
        reports.append(report)
    if wanted is not None:
        missing = wanted - {r.source for r in reports}
        if missing:
            raise UnknownSource(f"no registered source named {', '.join(sorted(missing))}")
    reports += [check_manifest(m, rules) for m in manifests]
    return reports
