from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from vigie.audit.actor import Actor
from vigie.policy import checklist, services
from vigie.policy.forms import PARIS, effective_moment
from vigie.policy.models import PolicyVersion


def _day(value: str | None) -> services.Effective:
    if value is None:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--effective {value!r} is not a date (YYYY-MM-DD)") from None
    if day < timezone.localdate(timezone=PARIS):
        raise CommandError(f"--effective {value} is in the past")
    return effective_moment(day)


class Command(BaseCommand):
    help = "Draft a new version of the privacy policy from the register, or publish one (R74)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        draft = sub.add_parser("draft", help="render a new draft from the current register")
        draft.add_argument("--summary-fr", required=True, help="change summary, in French")
        draft.add_argument("--summary-en", required=True, help="change summary, in English")
        draft.add_argument(
            "--material", action="store_true", help="a material change (R76: e-mail people first)"
        )
        draft.add_argument("--effective", metavar="YYYY-MM-DD", help="effective date (Paris)")
        publish = sub.add_parser("publish", help="publish a draft after the R7 checklist")
        publish.add_argument("number", help="the draft's version number (N or vN)")
        publish.add_argument("--effective", metavar="YYYY-MM-DD", help="effective date (Paris)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "draft":
            self.draft(options)
        else:
            self.publish(options)

    def draft(self, options: dict[str, Any]) -> None:
        try:
            version = services.create_draft(
                Actor.cli("policy draft"),
                change_summary_fr=options["summary_fr"],
                change_summary_en=options["summary_en"],
                material=options["material"],
                effective_at=_day(options["effective"]),
            )
        except services.PolicyError as error:
            raise CommandError(str(error)) from None
        missing = checklist.missing_items(version)
        self.stdout.write(
            f"draft v{version.number} created from register revision {version.register_revision}"
        )
        if missing:
            self.stdout.write("R7 checklist: missing " + "; ".join(i.label_en for i in missing))
        else:
            self.stdout.write(
                f"R7 checklist: complete; publish with `vigie policy publish {version.number}`"
            )

    def publish(self, options: dict[str, Any]) -> None:
        raw = str(options["number"]).strip().lower().lstrip("v")
        if not raw.isascii() or not raw.isdigit() or len(raw) > services.DIGITS_MAX:
            raise CommandError(f"{options['number']!r} is not a version number")
        number = int(raw)
        version = (
            PolicyVersion.objects.filter(number=number).first()
            if number <= services.NUMBER_MAX
            else None
        )
        if version is None:
            raise CommandError(f"no policy version {raw}")
        try:
            services.publish(
                Actor.cli("policy publish"), version, effective_at=_day(options["effective"])
            )
        except services.ChecklistRefusal as refusal:
            for item in refusal.missing:
                self.stderr.write(f"missing R7 item: {item.label_en} ({item.id})")
            raise CommandError(str(refusal)) from None
        except services.PolicyError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"v{version.number} published; effective "
            f"{timezone.localtime(version.effective_at, PARIS).isoformat(timespec='minutes')}"
        )
