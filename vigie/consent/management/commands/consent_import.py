from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vigie.audit.actor import Actor
from vigie.consent.importing import COLUMNS, OPTIONAL_COLUMNS, ImportFileError, import_csv


class Command(BaseCommand):
    help = (
        "Import people, consents and partner files from CSV (columns: "
        + ", ".join(COLUMNS)
        + "; optional: "
        + ", ".join(OPTIONAL_COLUMNS)
        + "). Prints the report as JSON: read, imported, unchanged, suppressed, refused_b2c "
        "(personal mailboxes without consent: nothing stored), organisations (generic "
        "addresses), errors (each refused line with its number and reason), nothing_changed. "
        "Good lines are imported, bad ones reported; a file that cannot be read is refused "
        "whole, before any write. Suppressed addresses are never re-subscribed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the CSV file (UTF-8, header line first)")
        parser.add_argument(
            "--wording",
            default="",
            help="the exact consent wording the people were shown (R34); required when "
            "lines record a consent",
        )
        parser.add_argument(
            "--channel",
            default="",
            help="where the consents were collected (form URL, event…); default: the file name",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error.strerror}") from None
        try:
            report = import_csv(
                Actor.cli("consent_import"),
                content,
                wording=options["wording"],
                channel=options["channel"] or f"import:{path.name}",
            )
        except ImportFileError as error:
            raise CommandError(f"{path}: {error} (nothing imported)") from None
        self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
