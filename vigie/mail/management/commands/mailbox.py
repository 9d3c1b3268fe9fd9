"""``vigie mailbox poll``: read the privacy mailbox once, as the worker does (R78)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vigie.audit.actor import Actor
from vigie.mail import imap
from vigie.mail.inbound import poll_mailbox


class Command(BaseCommand):
    help = (
        "The privacy mailbox read over IMAP (VIGIE_IMAP_HOST and the other IMAP "
        "settings): `poll` reads it once, stores each new message sealed, runs the "
        "automatic handlers (mailto unsubscribe) and leaves the rest to sort."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser(
            "poll",
            help="read the mailbox once and print what was stored, handled and left to sort",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = poll_mailbox(Actor.cli("mailbox poll"))
        except imap.InboundDisabled:
            raise CommandError(
                "no IMAP server configured: set VIGIE_IMAP_HOST (docs/configuration.md)"
            ) from None
        except imap.MailboxUnavailable as error:
            raise CommandError(f"the privacy mailbox could not be read: {error}") from None
        if report.busy:
            self.stdout.write(f"{report.mailbox}: another poll is reading it now; nothing done.")
            return
        self.stdout.write(f"{report.mailbox}:")
        self.stdout.write(f"  stored:          {report.stored}")
        handled = ", ".join(f"{label} {n}" for label, n in sorted(report.handled.items()))
        self.stdout.write(
            f"  handled:         {sum(report.handled.values())}"
            + (f" ({handled})" if handled else "")
        )
        self.stdout.write(f"  left to sort:    {report.triage}")
        if report.already_stored:
            self.stdout.write(f"  already stored:  {report.already_stored}")
