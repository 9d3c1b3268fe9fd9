from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vigie.accounts.models import ApiKey, User
from vigie.accounts.permissions import Permission
from vigie.accounts.services import AccountError, create_api_key, revoke_api_key
from vigie.audit.actor import Actor


class Command(BaseCommand):
    help = "Create or revoke an API key for other software."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a key; its secret is printed once")
        create.add_argument("--owner", required=True, help="username of the responsible staff")
        create.add_argument("--name", required=True, help="the software that will use it")
        create.add_argument(
            "--scope",
            action="append",
            required=True,
            dest="scopes",
            help="a permission the key may use (repeat); one of: "
            + ", ".join(p.value for p in Permission),
        )
        revoke = sub.add_parser("revoke", help="revoke a key by its prefix")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = Actor.cli("apikey")
        if options["action"] == "create":
            owner = User.objects.filter(username=options["owner"]).first()
            if owner is None:
                raise CommandError(f"no staff account named {options['owner']!r}")
            try:
                key, secret = create_api_key(
                    actor, owner, name=options["name"], scopes=options["scopes"]
                )
            except AccountError as error:
                raise CommandError(str(error)) from None
            self.stderr.write(f"API key {key.prefix} created; the secret is shown only now:")
            self.stdout.write(secret)
            return
        existing = ApiKey.objects.filter(prefix=options["prefix"]).first()
        if existing is None:
            raise CommandError(f"no API key with prefix {options['prefix']!r}")
        revoke_api_key(actor, existing)
        self.stdout.write(f"API key {existing.prefix} revoked.")
