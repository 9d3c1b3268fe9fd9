from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vigie.audit.actor import Actor
from vigie.disclosures.importing import OPTIONAL, REQUIRED, ImportFileError, import_csv


class Command(BaseCommand):
    help = "The disclosure log (R22): `disclosures import FILE` records a CSV of transmissions."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="command", required=True)
        importing = commands.add_parser(
            "import",
            help="record the disclosures of a CSV file (columns: "
            + ", ".join(REQUIRED)
            + ", email or person_id; optional: "
            + ", ".join(c for c in OPTIONAL if c not in {"email", "person_id"})
            + "). Prints the report as JSON: read, recorded, already_there, errors (each "
            "refused line with its number and reason). Good lines are recorded, bad ones "
            "reported; a file that cannot be read is refused whole, before any write.",
        )
        importing.add_argument("file", type=Path, help="the CSV file (UTF-8, header line first)")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error.strerror}") from None
        try:
            report = import_csv(Actor.cli("disclosures_import"), content)
        except ImportFileError as error:
            raise CommandError(f"{path}: {error} (nothing recorded)") from None
        self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        if report.errors:
            self.stderr.write(
                f"{len(report.errors)} line(s) refused (see errors); the other lines are recorded."
            )
