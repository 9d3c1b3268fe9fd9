from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vigie.audit.actor import Actor
from vigie.consent.importing import COLUMNS, ImportFileError, import_csv


class Command(BaseCommand):
    help = (
        "Import people and consents from a CSV file (columns: "
        + ", ".join(COLUMNS)
        + "); prints the report as JSON. Suppressed addresses are never re-subscribed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the CSV file (UTF-8, header line first)")
        parser.add_argument(
            "--wording",
            required=True,
            help="the exact consent wording the people were shown (R34)",
        )
        parser.add_argument(
            "--channel",
            default="",
            help="where the consents were collected (form URL, event…); default: the file name",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            with path.open(encoding="utf-8-sig", newline="") as handle:
                report = import_csv(
                    Actor.cli("consent_import"),
                    handle,
                    wording=options["wording"],
                    channel=options["channel"] or f"import:{path.name}",
                )
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error.strerror}") from None
        except (ImportFileError, UnicodeDecodeError) as error:
            raise CommandError(f"{path}: {error}") from None
        self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
