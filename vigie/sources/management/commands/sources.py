from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from vigie.audit.actor import Actor
from vigie.sources.inventory import CheckReport
from vigie.sources.manifest import ConnectionUnavailable, InvalidManifest, read_manifest
from vigie.sources.services import (
    UnknownSource,
    check_sources,
    find_subject,
    list_sources,
    register_source_file,
)
from vigie.sources.sql_schema import SourceError
from vigie.sources.types import Subject


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
        find.add_argument("--email", action="append", default=[])
        find.add_argument("--login", action="append", default=[])

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
                state = _("checked %(when)s: OK") % {"when": f"{source.last_check_at:%Y-%m-%d}"}
            else:
                state = _("checked %(when)s: %(count)d problem(s)") % {
                    "when": f"{source.last_check_at:%Y-%m-%d}",
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
            "%(name)s: %(tables)d table(s), %(columns)d column(s), %(personal)d personal"
        ) % {
            "name": report.source,
            "tables": report.tables,
            "columns": report.columns,
            "personal": report.personal_columns,
        }
        verdict = (
            _("OK") if report.ok else _("%(count)d problem(s)") % {"count": len(report.problems)}
        )
        self.stdout.write(f"{summary}: {verdict}")

    def _find(self, options: dict[str, Any]) -> None:
        subject = Subject(email=options["email"], login=options["login"])
        if not subject:
            raise CommandError(_("give at least one --email or --login"))
        results = find_subject(Actor.cli("sources find"), subject)
        for result in results:
            counts = result.counts
            if not counts:
                self.stdout.write(_("%(source)s: nothing found") % {"source": result.source})
                continue
            for (table, category), count in sorted(counts.items()):
                self.stdout.write(f"{result.source}\t{table}\t{category}\t{count}")
        self.stdout.write(_("this search is recorded in the audit log (R29)"))
