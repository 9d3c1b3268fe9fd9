"""The disclosure log on the person page (R22): what was sent to whom, and the form
that records a new transmission."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from vigie.accounts.permissions import Permission
from vigie.audit.actor import Actor
from vigie.audit.services import record_read
from vigie.disclosures.forms import DisclosureForm
from vigie.disclosures.models import Channel, Disclosure
from vigie.disclosures.services import _lang, category_words, disclosures_of
from vigie.people.models import Person
from vigie.people.panels import Panel


def log_rows(disclosures: list[Disclosure]) -> list[dict[str, Any]]:
    """Each line in words: the recipient's name, the categories' labels, how it came."""
    lang = _lang()
    channels = dict(Channel.choices)
    return [
        {
            "recipient": d.recipient.name(lang),
            "categories": category_words(d.categories, lang),
            "disclosed_at": d.disclosed_at,
            "purpose": d.purpose,
            "legal_basis": d.legal_basis,
            "reference": d.reference,
            "channel": channels.get(d.channel, d.channel),
            "operator": (d.operator.get_full_name() or d.operator.username) if d.operator else "",
        }
        for d in disclosures
    ]


def disclosures_panel(
    request: HttpRequest, person: Person, form: DisclosureForm | None = None
) -> Panel | None:
    user = request.user
    if not user.has_vigie_permission(Permission.DISCLOSURES_VIEW):  # type: ignore[union-attr]
        return None
    disclosures = disclosures_of(person)
    if disclosures:
        record_read(
            Actor.from_request(request),
            person,
            view="disclosures:log",
            extra={"disclosures": len(disclosures)},
        )
    context: dict[str, Any] = {"person": person, "rows": log_rows(disclosures)}
    if user.has_vigie_permission(Permission.DISCLOSURES_RECORD):  # type: ignore[union-attr]
        context["form"] = form or DisclosureForm()
    return Panel("disclosures/_person_panel.html", context)
