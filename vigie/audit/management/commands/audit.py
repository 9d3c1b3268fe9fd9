from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vigie.audit.actions import Action
from vigie.audit.actor import Actor
from vigie.audit.services import ObjectRef, purge_read_events, record_event, verify_chains


class Command(BaseCommand):
    help = "Verify the audit log's hash chains, or purge read events past retention."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser(
            "verify", help="exit 0 if both chains are intact, 1 naming the first bad event"
        )
        sub.add_parser(
            "purge", help="delete read events older than VIGIE_AUDIT_READ_RETENTION_DAYS"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "verify":
            result = verify_chains()
            # Journaled like the back-office button: the audit log page shows the
            # outcome of the latest verification, whoever ran it.
            record_event(
                Actor.cli("audit verify"),
                Action.AUDIT_VERIFY,
                ObjectRef("audit.event"),
                extra={"checked": result.checked, "ok": result.ok},
            )
            if not result.ok:
                raise CommandError(
                    f"audit log NOT intact after {result.checked} good events: {result.problem}"
                )
            anchored = ", ".join(result.anchored) or "none yet"
            self.stdout.write(
                f"audit log intact: {result.checked} events verified "
                f"(chains anchored in the key store: {anchored})."
            )
            return
        purged = purge_read_events(Actor.cli("audit purge"))
        self.stdout.write(f"purged {purged} read events past retention.")
