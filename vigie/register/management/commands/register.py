from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from vigie.audit.actor import Actor
from vigie.register.document import InvalidRegister
from vigie.register.exports import FORMATS
from vigie.register.services import ExportError, export_register, load_file


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--as-of {value!r} is not a date (YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = "Load the register of processing from YAML, or export it (Art. 30)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="load a register file (idempotent; all or nothing)")
        load.add_argument("file", type=Path)
        export = sub.add_parser("export", help="export the register, now or as at a past date")
        export.add_argument("--format", choices=FORMATS, default="yaml")
        export.add_argument(
            "--as-of", metavar="YYYY-MM-DD", help="the register as it stood that day"
        )
        export.add_argument("--role", choices=("controller", "processor"))
        export.add_argument("--lang", choices=("fr", "en"), default="fr")
        export.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "load":
            try:
                revision = load_file(Actor.cli("register load"), options["file"])
            except InvalidRegister as error:
                for problem in error.errors:
                    self.stderr.write(f"{options['file']}: {problem}")
                raise CommandError(
                    _("%(count)d error(s); the register was not changed")
                    % {"count": len(error.errors)}
                ) from None
            if revision is None:
                self.stdout.write("register unchanged (already loaded)")
            else:
                self.stdout.write(
                    f"register revision {revision.number} loaded "
                    f"({len(revision.changes)} change(s))"
                )
            return
        as_of = _day(options["as_of"]) if options["as_of"] else None
        try:
            content, _filename, _type = export_register(
                Actor.cli("register export"),
                fmt=options["format"],
                as_of=as_of,
                role=options["role"],
                lang=options["lang"],
            )
        except ExportError as error:
            raise CommandError(str(error)) from None
        if options["output"]:
            options["output"].write_bytes(content)
            self.stderr.write(f"wrote {options['output']} ({len(content)} bytes)")
        else:
            sys.stdout.buffer.write(content)
            sys.stdout.flush()
