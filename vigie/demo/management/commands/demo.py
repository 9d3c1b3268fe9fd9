from __future__ import annotations

import base64
import json
import os
import secrets
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from vigie.accounts.models import User
from vigie.accounts.permissions import Role
from vigie.accounts.services import create_staff
from vigie.audit.actor import Actor

DEMO_ACCOUNTS = [
    ("demo-admin", Role.ADMIN, "Alice", "Martin"),
    ("demo-privacy", Role.PRIVACY_LEAD, "Claire", "Moreau"),
    ("demo-sales", Role.SALES, "Bruno", "Lefebvre"),
]


def _password() -> str:
    # 120 random bits, plus one character of each class for the CNIL validator.
    return secrets.token_urlsafe(15) + "-Vg7"


class Command(BaseCommand):
    help = (
        "Prepare the demo (migrate, demo staff accounts, printed once and reused), "
        "then serve on VIGIE_BIND with a background worker until Ctrl-C."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-serve", action="store_true", help="prepare the data and print the logins only"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.site_on_bind()
        call_command("migrate", interactive=False, verbosity=0)
        call_command("migrate", database="keys", interactive=False, verbosity=0)
        self.ensure_register_and_policy()
        self.ensure_signing()
        self.ensure_people()
        self.ensure_sources()
        self.ensure_rights_cases()
        credentials = self.ensure_accounts(Path(settings.VAR_DIR) / "demo_credentials.json")
        self.print_logins(credentials)
        if options["no_serve"]:
            return
        from vigie.mail.sink import start_sink

        mailbox = Path(settings.VAR_DIR) / "mail"
        sink = start_sink(mailbox)
        self.stdout.write(
            f"E-mails sent by the demo are written to {mailbox}/ "
            f"(SMTP sink on 127.0.0.1:{sink.port})."
        )
        # Only the worker sends mail: point it at the sink.
        env = {**os.environ, "VIGIE_SMTP_HOST": "127.0.0.1", "VIGIE_SMTP_PORT": str(sink.port)}
        worker = subprocess.Popen([sys.executable, "-m", "vigie", "worker"], env=env)
        try:
            call_command("serve")
        finally:
            worker.terminate()
            worker.wait(timeout=30)
            sink.stop()

    def site_on_bind(self) -> None:
        """Without VIGIE_SITE_URL, the e-mails' links point where the demo serves: a demo
        on another port (VIGIE_BIND) otherwise sends links to 127.0.0.1:8000."""
        if os.environ.get("VIGIE_SITE_URL"):
            return
        host, _sep, port = settings.SERVE_BIND.rpartition(":")
        if host in ("0.0.0.0", "::", "[::]", ""):  # noqa: S104 (read, not bound)
            host = "127.0.0.1"
        site = f"http://{host}:{port}"
        settings.SITE_URL = site
        # The worker, which renders the e-mails, is started with this environment.
        os.environ["VIGIE_SITE_URL"] = site

    def ensure_register_and_policy(self) -> None:
        """Load the company's register (idempotent) and publish policy v1 once."""
        from vigie.policy.services import ensure_published_first_version
        from vigie.register.services import load_file

        actor = Actor.cli("demo")
        revision = load_file(actor, Path(settings.BASE_DIR) / "policies" / "semi-informatique.yaml")
        if revision is not None:
            self.stdout.write(f"Register loaded: revision {revision.number}.")
        version = ensure_published_first_version(actor)
        if version is not None:
            self.stdout.write(f"Privacy policy v{version.number} published.")

    def ensure_signing(self) -> None:
        """A DKIM key under var/ (once) that signs every e-mail of the demo, and the
        DNS record a real domain would publish (R38)."""
        from vigie.demo.signing import ensure_demo_signing
        from vigie.mail.dkim_keys import DkimKeyError

        try:
            signing = ensure_demo_signing(Path(settings.VAR_DIR))
        except DkimKeyError as error:
            raise CommandError(f"DKIM key: {error}") from None
        if signing is None:
            self.stdout.write(
                "No sender domain in the register: the demo's e-mails are not signed."
            )
            return
        # This process and the worker it starts (which sends) sign with it.
        for name, value in signing.environment().items():
            os.environ[name] = value
        settings.DKIM_PRIVATE_KEY_PATH = str(signing.path)
        settings.DKIM_SELECTOR = signing.selector
        settings.DKIM_DOMAIN = signing.domain
        made = "created" if signing.created else "reused"
        self.stdout.write(
            f"DKIM key {made}: {signing.path} (mode 0600); every e-mail of the demo is signed "
            f"(d={signing.domain}, s={signing.selector})."
        )
        self.stdout.write(f"DNS TXT record to publish at {signing.record.name}:")
        self.stdout.write(f"  {signing.record.value}")

    def ensure_people(self) -> None:
        """A few hundred people with realistic shapes, created once."""
        from vigie.demo.people import create_demo_people

        people = create_demo_people()
        if people:
            self.stdout.write(f"Demo people created: {len(people)}.")
        # A demo database made before the name search gets its index here.
        from vigie.people.services import index_missing_names

        indexed = index_missing_names(Actor.cli("demo"))
        if indexed and not people:
            self.stdout.write(f"Names indexed for the search: {indexed}.")

    def ensure_rights_cases(self) -> None:
        """Rights requests at every point of their clock, created once."""
        from vigie.demo.rights import create_demo_cases

        cases = create_demo_cases()
        if cases:
            self.stdout.write(f"Demo rights requests created: {len(cases)}.")
        from vigie.demo.disclosures import create_demo_disclosures

        logged = create_demo_disclosures()
        if logged:
            self.stdout.write(f"Demo disclosures logged: {logged}.")

    def ensure_sources(self) -> None:
        """A GLPI-shaped and a Dolibarr-shaped database holding some demo people, once."""
        from vigie.demo.sources import create_demo_sources

        for name in create_demo_sources():
            self.stdout.write(f"Demo source created and registered: {name}.")
        self.ensure_sources_checked()

    def ensure_sources_checked(self) -> None:
        """Run the inventory check (R4) on every source never checked, so the data map
        shows a result on the first visit instead of "never run"."""
        from vigie.sources.models import Source
        from vigie.sources.services import check_sources

        unchecked = list(
            Source.objects.filter(last_check_at__isnull=True).values_list("name", flat=True)
        )
        if not unchecked:
            return
        for report in check_sources(Actor.cli("demo"), names=unchecked):
            outcome = "no problem" if report.ok else f"{len(report.problems)} problem(s)"
            self.stdout.write(f"Inventory check of {report.source}: {outcome}.")

    def ensure_accounts(self, path: Path) -> dict[str, dict[str, str]]:
        """Create the demo accounts once; a second run reuses the same logins."""
        stored: dict[str, dict[str, str]] = {}
        if path.exists():
            stored = json.loads(path.read_text(encoding="utf-8"))
        actor = Actor.cli("demo")
        today = date.today()
        for username, role, first, last in DEMO_ACCOUNTS:
            if username in stored and User.objects.filter(username=username).exists():
                continue
            password = _password()
            with transaction.atomic():
                User.objects.filter(username=username).delete()
                user = create_staff(
                    actor,
                    username=username,
                    email=f"{username}@example.invalid",
                    password=password,
                    role=role,
                    first_name=first,
                    last_name=last,
                    confidentiality_signed_at=today,
                    gdpr_training_at=today,
                )
                entry = {"password": password, "role": str(role)}
                if user.requires_totp:
                    device = TOTPDevice.objects.create(user=user, name="demo", confirmed=True)
                    entry["totp_secret"] = base64.b32encode(device.bin_key).decode()
                    entry["totp_uri"] = device.config_url
            stored[username] = entry
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(stored, indent=2), encoding="utf-8")
        path.chmod(0o600)
        return stored

    def print_logins(self, credentials: dict[str, dict[str, str]]) -> None:
        site = settings.SITE_URL
        self.stdout.write("")
        self.stdout.write(f"Vigie demo — portal {site}/  back-office {site}/backoffice/")
        for username, entry in credentials.items():
            self.stdout.write(
                f"  login {username}  password {entry['password']}  (role {entry['role']})"
            )
            if "totp_secret" in entry:
                self.stdout.write(
                    f"    second factor (TOTP) secret {entry['totp_secret']}: add it to an "
                    f"authenticator app, or run: oathtool --totp -b {entry['totp_secret']}"
                )
        self.stdout.write("")
