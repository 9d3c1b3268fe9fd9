from __future__ import annotations

from email.utils import parseaddr
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from vigie.lib.controller import current_controller
from vigie.mail.dkim_keys import KEY_BITS, DkimKeyError, check_name, dns_record, generate_key


def default_domain() -> str:
    """``VIGIE_DKIM_DOMAIN``, else the domain of the service sender (setting or register)."""
    if settings.DKIM_DOMAIN:
        return str(settings.DKIM_DOMAIN)
    sender = parseaddr(str(settings.MAIL_FROM_SERVICE or ""))[1]
    if not sender:
        try:
            controller = current_controller()
        except DatabaseError:
            # Keys are often made before the database (``vigie migrate``): no register.
            controller = None
        sender = controller.service_from if controller else ""
    return sender.rpartition("@")[2]


class Command(BaseCommand):
    help = "DKIM signing keys (R38): make a key pair and print the DNS record to publish."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        keygen = sub.add_parser(
            "keygen",
            help="write a new private key (mode 0600, never overwriting a file) and print "
            "the TXT record <selector>._domainkey.<domain> to publish",
        )
        keygen.add_argument("--out", type=Path, required=True, help="where to write the key")
        keygen.add_argument(
            "--selector", default="", help="DKIM selector (default: VIGIE_DKIM_SELECTOR)"
        )
        keygen.add_argument(
            "--domain",
            default="",
            help="signing domain (default: VIGIE_DKIM_DOMAIN, else the service sender's)",
        )
        keygen.add_argument(
            "--bits", type=int, default=KEY_BITS, help="RSA key size, 1024 to 4096 (RFC 8301)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        selector = options["selector"] or str(settings.DKIM_SELECTOR)
        domain = options["domain"] or default_domain()
        if not domain:
            raise CommandError("no domain: pass --domain (no VIGIE_DKIM_DOMAIN, no register)")
        path: Path = options["out"]
        try:
            # The names first: no key is written for a record that cannot exist.
            check_name(selector, domain)
            pem = generate_key(path, bits=options["bits"])
            record = dns_record(pem, selector, domain)
        except DkimKeyError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"DKIM private key written to {path} (mode 0600).")
        self.stdout.write(f"Publish this DNS TXT record at {record.name}:")
        self.stdout.write(f"  name:  {record.name}")
        self.stdout.write(f"  value: {record.value}")
        self.stdout.write("As a zone-file line:")
        self.stdout.write(f"  {record.zone_line()}")
        self.stdout.write(
            "Then sign with: "
            f"VIGIE_DKIM_PRIVATE_KEY_PATH={path.resolve()} VIGIE_DKIM_SELECTOR={selector} "
            f"VIGIE_DKIM_DOMAIN={domain}"
        )
