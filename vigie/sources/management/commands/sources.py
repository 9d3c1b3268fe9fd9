from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from vigie.audit.actor import Actor
from vigie.lib.bounds import OutOfBounds, check_email
from vigie.sources.display import (
    category_labels,
    kept_text,
    residue_statement,
    source_names,
    strategy_text,
)
from vigie.sources.inventory import CheckReport
from vigie.sources.manifest import ConnectionUnavailable, InvalidManifest, read_manifest
from vigie.sources.residue import (
    UnknownCheck,
    apply_check,
    refresh,
    residue_check,
    run_residue_check,
)
from vigie.sources.rules import register_rules
from vigie.sources.services import (
    UnknownSource,
    check_sources,
    erase_subject,
    find_subject,
    list_sources,
    load_source,
    register_source_file,
    source_manifest,
)
from vigie.sources.sql_schema import SourceError
from vigie.sources.types import EraseReport, ResidueState, Subject

_EMAIL_HELP = "an e-mail address of the person (repeatable)"
_LOGIN_HELP = "a login of the person in the sources (repeatable)"


def _subject(options: dict[str, Any]) -> Subject:
    """The person named on the command line; a value that is not an address is refused
    before anything is searched, erased or journaled (a typo is not « nothing found »)."""
    for email in options["email"]:
        local, _at, domain = email.strip().partition("@")
        try:
            check_email(email.strip())
        except OutOfBounds:
            local = ""
        if not local or not domain:
            raise CommandError(_("“%(value)s” is not an e-mail address") % {"value": email})
    subject = Subject(email=options["email"], login=options["login"])
    if not subject:
        raise CommandError(_("give at least one --email or --login"))
    return subject


def _day(moment: Any) -> str:
    return f"{timezone.localtime(moment):%d/%m/%Y}"


class Command(BaseCommand):
    help = "Register, list and check the sources of personal data; find a subject in them (R4)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="register (or replace) a source from its manifest")
        add.add_argument("manifest", type=Path)
        sub.add_parser("list", help="list the registered sources and their last check")
        check = sub.add_parser(
            "check", help="inventory check (R4): every column mapped, every table with a rule"
        )
        check.add_argument(
            "--manifest",
            type=Path,
            action="append",
            default=[],
            help="check this manifest file instead of the registered sources (repeatable)",
        )
        find = sub.add_parser("find", help="count a subject's rows per source, table, category")
        find.add_argument("--email", action="append", default=[], help=_EMAIL_HELP)
        find.add_argument("--login", action="append", default=[], help=_LOGIN_HELP)
        erase = sub.add_parser(
            "erase",
            help="erase a subject in every source and Vigie (Art. 17): refused when a "
            "source's database holds tables its manifest does not describe",
        )
        erase.add_argument("--email", action="append", default=[], help=_EMAIL_HELP)
        erase.add_argument("--login", action="append", default=[], help=_LOGIN_HELP)
        erase.add_argument(
            "--no-wait",
            action="store_true",
            help="return as soon as the data is erased: the residue check runs as a "
            "background job (see its result with `vigie sources residue N`)",
        )
        erase.add_argument(
            "--accept-unmapped",
            action="store_true",
            help="privacy lead only: erase anyway; the report says incomplete and names "
            "what is not described",
        )
        residue = sub.add_parser(
            "residue", help="the result of a residue check after an erasure (or: in progress)"
        )
        residue.add_argument("number", type=int)
        sub.add_parser(
            "advise",
            help="the indexes that would serve each source's links, with the time a probe "
            "takes now (suggested, never created)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except InvalidManifest as error:
            for problem in error.errors:
                self.stderr.write(str(problem))
            raise CommandError(
                _("%(count)d error(s) in the manifest; nothing was changed")
                % {"count": len(error.errors)}
            ) from None
        except (SourceError, ConnectionUnavailable, UnknownSource) as error:
            raise CommandError(str(error)) from None

    def _add(self, options: dict[str, Any]) -> None:
        source = register_source_file(Actor.cli("sources add"), options["manifest"])
        self.stdout.write(_("source %(name)s registered") % {"name": source.name})

    def _list(self, options: dict[str, Any]) -> None:
        sources = list_sources()
        if not sources:
            self.stdout.write(_("no source registered (vigie sources add MANIFEST)"))
        for source in sources:
            if source.last_check_at is None:
                state = _("never checked")
            elif source.last_check.get("ok"):
                state = _("checked %(when)s: OK") % {"when": _day(source.last_check_at)}
            else:
                state = _("checked %(when)s: %(count)d problem(s)") % {
                    "when": _day(source.last_check_at),
                    "count": len(source.last_check.get("problems", [])),
                }
            enabled = "" if source.enabled else _(" (disabled)")
            self.stdout.write(f"{source.name}{enabled}\t{state}")

    def _check(self, options: dict[str, Any]) -> None:
        manifests = [read_manifest(path) for path in options["manifest"]]
        actor = Actor.cli("sources check")
        if manifests:
            reports = check_sources(actor, names=[], manifests=manifests)
        else:
            reports = check_sources(actor)
            if not list_sources():
                self.stdout.write(
                    _("no external source registered: only Vigie's own store is checked")
                )
        failed = 0
        for report in reports:
            self._report(report)
            failed += len(report.problems)
        if failed:
            raise CommandError(
                _("%(count)d problem(s): personal data outside the register (R4)")
                % {"count": failed}
            )

    def _report(self, report: CheckReport) -> None:
        self.stdout.write(_("checking %(name)s…") % {"name": report.source})
        for problem in report.problems:
            self.stdout.write(f"  {report.source}: {problem}")
        summary = _(
            "%(name)s: %(personal)d personal table(s), %(not_personal)d not personal, "
            "%(undescribed)d not described"
        ) % {
            "name": report.source,
            "personal": report.personal_tables,
            "not_personal": report.not_personal_tables,
            "undescribed": len(report.undescribed_tables),
        }
        if report.undescribed_tables:
            summary += f" ({', '.join(report.undescribed_tables)})"
        summary += " — " + _("%(columns)d column(s), %(personal)d personal") % {
            "columns": report.columns,
            "personal": report.personal_columns,
        }
        verdict = (
            _("OK") if report.ok else _("%(count)d problem(s)") % {"count": len(report.problems)}
        )
        self.stdout.write(_("%(summary)s: %(verdict)s") % {"summary": summary, "verdict": verdict})

    def _find(self, options: dict[str, Any]) -> None:
        subject = _subject(options)
        results = find_subject(Actor.cli("sources find"), subject)
        names = source_names()
        categories = category_labels()
        grounds = {key: rule.legal_reference for key, rule in register_rules().items()}
        manifests = {}
        for source in list_sources():
            try:
                manifests[source.name] = source_manifest(source)
            except InvalidManifest:
                continue
        for result in results:
            label, tables = names.get(result.source, (result.source, {}))
            counts = result.counts
            if not counts:
                self.stdout.write(_("%(source)s: nothing found") % {"source": label})
                continue
            manifest = manifests.get(result.source)
            for (table, category), count in sorted(counts.items()):
                table_label = tables.get(table, table)
                where = table if table_label == table else f"{table_label} ({table})"
                spec = manifest.tables.get(table) if manifest else None
                kept_keys = {
                    r.key for r in result.rows if r.table == table and r.category == category
                }
                kept = [k for k in result.kept if k.table == table and k.key in kept_keys]
                strategy = strategy_text(spec, category, kept, grounds)
                line = f"{label}\t{where}\t{categories.get(category, category)}\t{count}"
                self.stdout.write(f"{line}\t{strategy}" if strategy else line)
        self.stdout.write(_("this search is recorded in the audit log (R29)"))

    def _erase(self, options: dict[str, Any]) -> None:
        subject = _subject(options)
        reports = erase_subject(
            Actor.cli("sources erase"), subject, accept_unmapped=options["accept_unmapped"]
        )
        if not options["no_wait"]:
            # At a terminal the privacy lead waits for the answer that matters before
            # writing to the person: is anything left? The check runs here (the queued
            # job then finds it done).
            for report in reports:
                if report.residue_check is not None:
                    self.stdout.write(
                        _("%(source)s: checking what is left…") % {"source": report.source}
                    )
                    run_residue_check(report.residue_check)
                    refresh(report)
        names = source_names()
        categories = category_labels()
        for report in reports:
            self._erase_report(report, names, categories)
        self.stdout.write(_("this erasure is recorded in the audit log"))

    def _erase_report(
        self,
        report: EraseReport,
        names: dict[str, tuple[str, dict[str, str]]],
        categories: dict[str, str],
    ) -> None:
        name = report.source
        _label, tables = names.get(name, (name, {}))
        for table, outcome in sorted(report.tables.items()):
            table_label = tables.get(table, table)
            self.stdout.write(
                _("%(source)s\t%(table)s\tdeleted %(deleted)d\tchanged %(updated)d\tkept %(kept)d")
                % {
                    "source": name,
                    "table": table if table_label == table else f"{table_label} ({table})",
                    "deleted": outcome.deleted,
                    "updated": outcome.updated,
                    "kept": outcome.kept,
                }
            )
        for category, (ground, ends) in sorted(report.kept_categories.items()):
            self.stdout.write(
                _("%(source)s: %(category)s: %(kept)s")
                % {
                    "source": name,
                    "category": categories.get(category, category),
                    "kept": kept_text(ground, ends),
                }
            )
        for kept in report.kept_residue:
            self.stdout.write(
                _("%(source)s: kept (%(category)s): %(table)s.%(column)s, %(rows)d row(s)")
                % {
                    "source": name,
                    "category": categories.get(kept.category, kept.category),
                    "table": kept.table,
                    "column": kept.column,
                    "rows": kept.rows,
                }
            )
        if report.incomplete:
            self.stdout.write(
                _("%(source)s: INCOMPLETE erasure: not described, so not erased: %(tables)s")
                % {"source": name, "tables": ", ".join(report.undescribed)}
            )
        for found in report.residue:
            self.stdout.write(
                _(
                    "%(source)s: RESIDUE: %(table)s.%(column)s still holds the person in "
                    "%(rows)d row(s)"
                )
                % {"source": name, "table": found.table, "column": found.column, "rows": found.rows}
            )
        if report.residue_state is not ResidueState.NOT_CHECKED:
            line = _("%(source)s: %(statement)s") % {
                "source": name,
                "statement": residue_statement(report),
            }
            if report.residue_state is ResidueState.PENDING:
                line += " " + _("(see later: vigie sources residue %(number)d)") % {
                    "number": report.residue_check
                }
            self.stdout.write(line)

    def _residue(self, options: dict[str, Any]) -> None:
        try:
            check = residue_check(options["number"])
        except UnknownCheck:
            raise CommandError(
                _("no residue check numbered %(number)d") % {"number": options["number"]}
            ) from None
        report = apply_check(EraseReport(check.source), check)
        if check.state == check.State.PENDING:
            report.residue_state = ResidueState.PENDING
        self._erase_report(report, source_names(), category_labels())

    def _advise(self, options: dict[str, Any]) -> None:
        from vigie.sources.advise import advise

        sources = list_sources()
        if not sources:
            self.stdout.write(_("no source registered"))
        for source in sources:
            with load_source(source.name) as engine:
                advice = advise(engine.manifest, engine.engine)
            if not advice:
                self.stdout.write(
                    _("%(source)s: every lookup of the links is served by an index")
                    % {"source": source.name}
                )
            for item in advice:
                lookup = item.lookup
                cost = (
                    _("probe now %(ms).1f ms, %(plan)s, %(rows)s row(s) in the table")
                    % {
                        "ms": item.probe_ms,
                        "plan": _("full scan") if item.scans else _("no full scan"),
                        "rows": f"{item.rows:,}" if item.rows is not None else "?",
                    }
                    if item.probe_ms is not None
                    else _("no value to probe with")
                )
                self.stdout.write(
                    f"{source.name}\t{lookup.table}.{lookup.column}\t{lookup.path}\t"
                    f"{item.statement or item.note}\t{cost}"
                )
        self.stdout.write(_("suggestions only: Vigie creates no index"))
