"""The recipients of a person's data (Art. 19, last sentence; R57): the person may ask
who received their data. The personal space lists them (« Destinataires de vos
données »); staff send the list by letter from the case page. Both read the disclosure
log (R22) through ``recipients_of``: recipient names, categories in words, last date.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from vigie.accounts.permissions import Permission
from vigie.audit.actor import Actor
from vigie.disclosures.services import category_words, recipients_of
from vigie.lib.legal_calendar import PARIS
from vigie.people.models import Person
from vigie.rights.actions import RightsAction
from vigie.rights.models import Case, IdentityStatus, Letter

TEMPLATE = "rights_recipients_list"


def recipient_rows(person: Person, language: str) -> list[dict[str, Any]]:
    return [
        {
            "name": item.recipient.name(language),
            "categories": category_words(item.categories, language),
            "last": item.last_disclosed_at.astimezone(PARIS).strftime("%d/%m/%Y"),
        }
        for item in recipients_of(person)
    ]


def recipients_context(refs: dict[str, Any], language: str) -> dict[str, Any]:
    """The letter's context: the case's (number, dates…) and the recipients."""
    from vigie.rights.letters import letter_context

    context = letter_context(refs, language)
    case = Case.objects.select_related("person").get(pk=refs["case"])
    context["recipients"] = recipient_rows(case.person, language) if case.person else []
    return context


def send_recipients_list(actor: Actor, case: Case) -> Letter:
    """The list of recipients, by letter to the person's address on file."""
    from vigie.rights import services

    services._require(actor, Permission.RIGHTS_CASE_HANDLE)
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        services._check_open(case)
        if case.person is None or case.identity_status != IdentityStatus.VERIFIED:
            raise services.RightsError(_("Identity is not verified: nothing may be disclosed yet."))
        letter = services.send_letter(actor, case, TEMPLATE, services.letter_recipient(case))
        services._log(actor, case, RightsAction.RECIPIENTS_SEND, "recipients_sent")
    return letter
