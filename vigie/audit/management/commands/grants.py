from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections, transaction

from vigie.audit.roles import GrantError, apply_grants, grant_statements


class Command(BaseCommand):
    help = (
        "PostgreSQL: give the application's role its rights, run as the owner after each "
        "migrate: read and write every table, but only read and append to the audit log."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("role", help="the application's role (the one serving requests)")
        parser.add_argument(
            "--database",
            default=DEFAULT_DB_ALIAS,
            choices=sorted(connections),
            help="default (the main database) or keys (the key store); run it for both",
        )
        parser.add_argument(
            "--print", action="store_true", help="print the SQL instead of running it"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        connection = connections[options["database"]]
        try:
            if options["print"]:
                statements = grant_statements(connection, options["role"])
            else:
                with transaction.atomic(using=options["database"]):
                    statements = apply_grants(connection, options["role"])
        except GrantError as error:
            raise CommandError(str(error)) from None
        except OperationalError as error:
            # A mistyped URL, a database not created yet, a server down: said, not a traceback.
            raise CommandError(
                f"cannot connect to the database ({options['database']}): {error}"
            ) from None
        for sql in statements:
            self.stdout.write(sql + ";")
