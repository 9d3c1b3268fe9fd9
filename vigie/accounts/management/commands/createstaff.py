from __future__ import annotations

import getpass
import sys
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from vigie.accounts.permissions import Role
from vigie.accounts.services import (
    AccountError,
    create_staff,
    needs_second_person,
    request_role,
    second_person_exists,
)
from vigie.audit.actor import Actor


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date (YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = (
        "Create a staff account. A role that reaches personal data needs "
        "--confidentiality-signed and --gdpr-training dates (R28), and, once an "
        "administrator or a privacy lead exists, waits for one of them to confirm it in "
        "the back-office; the first such account of an installation gets it at once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--email", required=True)
        parser.add_argument("--role", default=Role.NONE, choices=Role.values)
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--confidentiality-signed", metavar="YYYY-MM-DD")
        parser.add_argument("--gdpr-training", metavar="YYYY-MM-DD")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the password from standard input instead of prompting",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("the two passwords differ")
        role = options["role"]
        # Bootstrap: with nobody yet able to confirm, the role is given at once.
        deferred = needs_second_person(role) and second_person_exists()
        actor = Actor.cli("createstaff")
        try:
            with transaction.atomic():
                user = self._create(actor, options, password, Role.NONE if deferred else role)
                if deferred:
                    request_role(actor, user, role)
        except AccountError as error:
            raise CommandError(str(error)) from None
        if deferred:
            self.stdout.write(
                f"Created staff account {user.username} (id {user.pk}) without a role: "
                f"the role {role} awaits confirmation by a privacy lead or an administrator "
                "in the back-office (staff page)."
            )
        else:
            self.stdout.write(
                f"Created staff account {user.username} (id {user.pk}, role {user.role})."
            )

    def _create(self, actor: Actor, options: dict[str, Any], password: str, role: str) -> Any:
        return create_staff(
            actor,
            username=options["username"],
            email=options["email"],
            password=password,
            role=role,
            first_name=options["first_name"],
            last_name=options["last_name"],
            confidentiality_signed_at=_date(options["confidentiality_signed"])
            if options["confidentiality_signed"]
            else None,
            gdpr_training_at=_date(options["gdpr_training"]) if options["gdpr_training"] else None,
        )
