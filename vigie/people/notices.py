"""The Art. 14 notice to a person whose data came from someone else (R9).

What it says is read, when the e-mail is rendered, from the person's row and from the
loaded register: nothing about the company is written in code or in the templates,
so it holds for any company's register (issue 9).

- the purposes and their legal basis: the register's controller activities that say
  they collect from the person's source (``collected_from``: a public source or an
  enrichment job → the prospecting activity and its category of prospect data), else
  for partner data those that process the data category of what a partner sends
  (``Person.PERSONAL_DATA``), else the activities naming the person's subject
  categories. Of these, only the purposes that concern one of the person's subject
  categories (a purpose's own ``subject_categories``, else its activity's); purposes
  based on consent are left out (the person gave none);
- the categories received and their retention: the category ``collected_from`` names
  for the source, else for partner data the register's category of partner data (its
  description and its ``active_text``, the period "as told to people"); otherwise the
  categories of the fields received;
- the source and its date, the rights, an objection link that objects to all
  marketing in one click (``/u/<token>`` for every purpose, made at render time: the
  outbox keeps the person's id only), and the supervisory authority's details (R79).

A notice counts as given only when the mail server accepted it: mail tells this app
of each outcome (``record_outcome``, registered by ``PeopleConfig.ready``), and the
person stays excluded from marketing until then (R9).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext as _

from vigie.lib.controller import current_controller
from vigie.lib.legal_calendar import one_month_due_date, paris_day
from vigie.lib.purposes import ALL_PURPOSES
from vigie.lib.tokens import unsubscribe_url
from vigie.mail.addressing import PERSON, Outcome
from vigie.people.models import Person, Source

#: The template of the notice (``mail/art14_notice.*``).
TEMPLATE = "art14_notice"


def due_date(collected: datetime) -> date:
    """Art. 14(3)(a): at the latest one month after collection, counted as C2 says."""
    return one_month_due_date(collected)


def record_outcome(outcome: Outcome) -> None:
    """Mark the notice given once the server accepted it; a failed or refused one
    leaves the person blocked, and late once the due date has passed (R9)."""
    if outcome.status != "sent" or outcome.to.kind != PERSON:
        return
    Person.objects.filter(
        pk=uuid.UUID(outcome.to.ref),
        art14_notice_due_at__isnull=False,
        art14_notice_sent_at__isnull=True,
    ).update(art14_notice_sent_at=outcome.at)


def _field_names() -> dict[str, str]:
    return {
        "first_name": _("first name"),
        "last_name": _("last name"),
        "email": _("e-mail address"),
        "phone": _("phone number"),
        "job_title": _("job title"),
    }


def _subject_keys(person: Person) -> set[str]:
    """The register's keys of the person's subject types (``prospect_B2B`` → ``prospect-b2b``)."""
    return {str(t).lower().replace("_", "-") for t in person.subject_types}


def _controller_activities(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for a in doc.get("activities") or [] if a.get("role") == "controller"]


def _collecting(doc: dict[str, Any], person: Person) -> list[dict[str, Any]]:
    """The activities that say they collect from the person's source
    (``collected_from``) and name one of the person's subject categories."""
    subjects = _subject_keys(person)
    return [
        a
        for a in _controller_activities(doc)
        if person.source in (a.get("collected_from") or {})
        and subjects & set(a.get("subject_categories") or [])
    ]


def _concerns(purpose: dict[str, Any], activity: dict[str, Any], subjects: set[str]) -> bool:
    """Whether a purpose concerns one of ``subjects``: its own ``subject_categories``,
    else its activity's (the B2B prospecting purpose is not an individual client's)."""
    listed = purpose.get("subject_categories")
    if not isinstance(listed, list):
        listed = activity.get("subject_categories")
    return not isinstance(listed, list) or bool(subjects & set(listed))


def _activities(doc: dict[str, Any], person: Person, provenance: str) -> list[dict[str, Any]]:
    collecting = _collecting(doc, person)
    if collecting:
        return collecting
    controller = _controller_activities(doc)
    if person.source == Source.PARTNER:
        found = [a for a in controller if provenance in (a.get("data_categories") or [])]
        if found:
            return found
    subjects = _subject_keys(person)
    return [a for a in controller if subjects & set(a.get("subject_categories") or [])]


def _recipients(
    doc: dict[str, Any], activities: list[dict[str, Any]], keys: list[str], language: str
) -> list[str]:
    """Art. 14(1)(e): the names of the recipients of the activities described that
    receive one of the categories described (a recipient listing no category counts)."""
    from vigie.register.document import text

    index = {r.get("key"): r for r in doc.get("recipients") or []}
    names: list[str] = []
    for activity in activities:
        listed = activity.get("recipients")
        for key in listed if isinstance(listed, list) else []:
            recipient = index.get(key)
            if recipient is None:
                continue
            received = set(recipient.get("data_categories") or [])
            name = text(recipient.get("name"), language)
            if name and name not in names and (not received or received & set(keys)):
                names.append(name)
    return names


def notice_context(refs: dict[str, Any], language: str) -> dict[str, Any]:
    """The ``art14_notice`` e-mail's content, from the stored person id and the register
    (registered with mail by ``PeopleConfig.ready``)."""
    from vigie.mail.rendering import RenderError
    from vigie.register.document import text
    from vigie.register.exports import LEGAL_BASIS_LABELS
    from vigie.register.services import current_document

    person = Person.objects.filter(pk=uuid.UUID(str(refs["person"]))).first()
    if person is None or person.shredded_at is not None:
        raise RenderError("PERSON_ERASED: the notice's person is no longer on file")
    doc = current_document() or {}
    categories = {c["key"]: c for c in doc.get("data_categories") or []}
    provenance = Person.PERSONAL_DATA["source"]
    received = [f for f in Person.SEALED_FIELDS if getattr(person, f"{f}_sealed") is not None]
    collecting = _collecting(doc, person)
    keys = list(dict.fromkeys(a["collected_from"][person.source] for a in collecting))
    if not keys and person.source == Source.PARTNER and provenance in categories:
        keys = [provenance]
    if not keys:
        keys = list(dict.fromkeys(Person.PERSONAL_DATA[f"{f}_sealed"] for f in received))
    shown = []
    for key in keys:
        if key not in categories:
            continue
        category = categories[key]
        retention = category.get("retention") or {}
        shown.append(
            {
                "label": text(category.get("label"), language),
                "description": text(category.get("description"), language),
                "retention": text(retention.get("active_text"), language),
            }
        )
    bases = LEGAL_BASIS_LABELS["en" if language == "en" else "fr"]
    activities = _activities(doc, person, provenance)
    subjects = _subject_keys(person)
    purposes = [
        {
            "text": text(purpose.get("text"), language),
            "basis": bases.get(purpose.get("legal_basis", ""), purpose.get("legal_basis", "")),
            "interest": text(purpose.get("legitimate_interest"), language),
        }
        for activity in activities
        for purpose in activity.get("purposes") or []
        if purpose.get("legal_basis") != "consent" and _concerns(purpose, activity, subjects)
    ]
    if not purposes or not shown:
        # Better no notice than one that does not say why and what (it stays due).
        raise RenderError(
            "REGISTER_INCOMPLETE: the register names no purpose or data category for "
            "this person's data"
        )
    controller = current_controller()
    names = _field_names()
    # Art. 14(1)(b): the DPO's contact details, when the register names one ({name, email}).
    dpo = (doc.get("controller") or {}).get("dpo")
    return {
        "source_name": person.source_name or str(Source(person.source).label),
        "collected_on": paris_day(person.collected_at),
        "received_fields": ", ".join(names[f] for f in received),
        "categories": shown,
        "purposes": purposes,
        "recipients": _recipients(doc, activities, [k for k in keys if k in categories], language),
        "objection_url": unsubscribe_url(person.pk, ALL_PURPOSES),
        "authority": controller.authority if controller else None,
        "dpo": dpo if isinstance(dpo, dict) and dpo.get("email") else None,
    }
