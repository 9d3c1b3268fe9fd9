from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vigie.audit.actor import Actor
from vigie.lib.keyring import KeyringError, add_master_key, current_master, retire_master_keys
from vigie.people.services import master_keys_in_use, rotate_keys


class Command(BaseCommand):
    help = "Manage the master keys that wrap the per-person data keys (R30)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        rotate = sub.add_parser(
            "rotate",
            help="re-wrap every data key under the current master key; with the key file, "
            "first add a new master key",
        )
        rotate.add_argument(
            "--no-new-key",
            action="store_true",
            help="do not add a key (VIGIE_MASTER_KEY already has the new key first)",
        )
        rotate.add_argument(
            "--retire", action="store_true", help="then drop old keys no data key uses any more"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if not options["no_new_key"]:
                key = add_master_key()
                self.stdout.write(f"new master key {key.id} added")
            current = current_master()
            count = rotate_keys(Actor.cli("keys rotate"))
            self.stdout.write(f"{count} data key(s) re-wrapped under master key {current.id}")
            if options["retire"]:
                dropped = retire_master_keys(master_keys_in_use())
                self.stdout.write(f"retired master key(s): {', '.join(dropped) or 'none'}")
        except KeyringError as error:
            raise CommandError(str(error)) from None
