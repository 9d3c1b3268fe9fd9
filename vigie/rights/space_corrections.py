"""Self-service corrections in the personal space (Art. 16, R54): the person corrects
their non-identity details (job title, mobile, postal address) themselves; the change
is applied at once in Vigie and in every source, and the old and new values are kept
sealed (``ContactChange``), like a phone correction. Identity data (names, civility,
date of birth) goes through a rectification request, checked by staff.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from vigie.audit.actor import Actor
from vigie.people.models import Person
from vigie.people.services import InvalidPerson, PersonUnavailable, open_person
from vigie.rights import services
from vigie.rights.rectification import clean_changes
from vigie.rights.space import _record_change
from vigie.sources.services import rectify_subject
from vigie.sources.sql_schema import SourceError
from vigie.sources.types import Subject

#: What the person corrects alone (no proof needed: not identity data).
SELF_SERVICE = ("job_title", "mobile", "address", "postal_code", "city")


def correct_details(actor: Actor, person: Person, changes: Mapping[str, Any]) -> list[str]:
    """Apply the corrections everywhere; the fields changed somewhere (empty: nothing
    to change). ``RightsError`` with a sentence for the person when refused."""
    wanted = {a: v for a, v in changes.items() if a in SELF_SERVICE and str(v or "").strip()}
    if set(changes) - set(SELF_SERVICE):
        raise services.RightsError(_("To correct this, make a rectification request."))
    if not wanted:
        raise services.RightsError(_("Give at least one correction."))
    cleaned = clean_changes(wanted)
    try:
        data = open_person(person)
    except PersonUnavailable:
        raise services.RightsError(_("This person was erased.")) from None
    try:
        reports = rectify_subject(actor, Subject(email=data.emails), cleaned, person=person)
    except (SourceError, InvalidPerson):
        raise services.RightsError(
            _("Your correction could not be saved everywhere; please try again later.")
        ) from None
    olds: dict[str, Any] = {}
    # Vigie's own value first (its report is the last), then the first source's.
    for report in reversed(reports):
        for value in report.changed:
            olds.setdefault(value.attribute, value.old)
    with transaction.atomic():
        for attribute in sorted(olds):
            old = olds[attribute]
            _record_change(
                actor, person, attribute, "" if old is None else str(old), cleaned[attribute]
            )
    return sorted(olds)
