"""The ``vigie`` command: Vigie's own commands first, then every Django command."""

from __future__ import annotations

import os
import sys

COMMANDS = {
    "serve": "serve the portal, back-office and API (gunicorn)",
    "worker": "run background jobs (django-tasks database worker) and the daily schedule",
    "demo": "migrate, create the demo staff accounts, then serve with a worker",
    "createstaff": "create a staff account",
    "apikey": "create or revoke an API key (apikey create|revoke)",
    "audit": "verify or purge the audit log (audit verify|purge)",
    "register": "load or export the register of processing (register load|export)",
    "policy": "draft or publish a privacy-policy version (policy draft|publish)",
    "consent_import": "import people, consents and partner files from CSV, with a report",
    "sources": "add, list, check (R4 inventory) or search the sources of personal data",
    "keys": "rotate the master key wrapping the per-person data keys (keys rotate)",
    "dkim": "make a DKIM key pair and print its DNS TXT record (dkim keygen)",
    "mailbox": "read the privacy mailbox once over IMAP (mailbox poll)",
    "people": "index names for the back-office name search (people index-names)",
    "disclosures": "record a CSV file of disclosures to register recipients (disclosures import)",
    "migrate": "create or update the database tables",
    "grants": "PostgreSQL: give the application's role its rights (run as the owner)",
}


def usage() -> str:
    lines = ["usage: vigie COMMAND [options]", "", "Vigie commands:"]
    lines += [f"  {name:<12} {text}" for name, text in COMMANDS.items()]
    lines += [
        "",
        "`vigie COMMAND --help` explains one command; `vigie help --all` lists every",
        "Django management command, which `vigie` also runs.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help"} or args == ["help"]:
        print(usage())
        return 0 if args else 2
    if args[:2] == ["help", "--all"]:
        args = ["help"]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigie.settings")
    if args[0] == "demo":
        # The demo is plain http on 127.0.0.1: secure-only cookies would make
        # sign-in impossible there. Production keeps the safe default.
        os.environ.setdefault("VIGIE_HTTPS", "0")
    from django.core.management import execute_from_command_line

    from vigie.lib.env import ConfigurationError

    try:
        execute_from_command_line(["vigie", *args])
    except ConfigurationError as error:
        print(f"vigie: configuration error: {error}", file=sys.stderr)
        return 2
    return 0
