from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vigie.audit.actor import Actor
from vigie.lib.keyring import KeyringError
from vigie.people.services import index_missing_names


class Command(BaseCommand):
    help = "Maintenance of the people store."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser(
            "index-names",
            help="fill the blind index of name words for people who have none yet "
            "(after an upgrade); safe to run again",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            count = index_missing_names(Actor.cli("people index-names"))
        except KeyringError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"{count} person(s) indexed for the name search")
