"""A person's death notified with proof (R59; loi Informatique et Libertés art. 85).

Staff record the death with its proof (a death certificate: sealed, like the notifier's
details). Then the person's recorded post-mortem directive, if any, is applied:

- a directive asking for erasure (« effacer », « supprimer », « erase », « delete »…):
  an erasure case is opened for the person, its plan proposed like any erasure — with
  the legal retention exceptions (accounting documents, contract evidence) — and the
  privacy lead confirms and runs it (a deceased person is no current client to ask);
- no directive (or one that asks for something else): the heirs' limited rights apply
  (art. 85 II: what the settling of the estate needs, and having the death taken into
  account); a case records it and a letter to the notifier explains what heirs can ask.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vigie.accounts.permissions import Permission
from vigie.audit.actor import Actor
from vigie.audit.services import record_event
from vigie.consent.ledger import addresses_of
from vigie.consent.models import SuppressionReason
from vigie.consent.suppression import suppress_all
from vigie.lib import crypto, keyring
from vigie.lib.purposes import ALL_PURPOSES
from vigie.mail.addressing import To
from vigie.people.models import Person
from vigie.rights import erasure
from vigie.rights.actions import RightsAction
from vigie.rights.models import (
    Case,
    Channel,
    DeathNotice,
    IdentityMethod,
    PostMortemDirective,
    RequestType,
)
from vigie.rights.sealing import Requester
from vigie.rights.services import RightsError, _close, _log, _require, open_case, send_letter
from vigie.rights.space import _open as open_space_field

_KEY_PURPOSE = "rights-death"
MAX_PROOF = 10 * 1024 * 1024
PROOF_TYPES = {"application/pdf", "image/jpeg", "image/png"}
ERASE_WORDS = re.compile(r"\b(effac\w*|supprim\w*|eras\w*|delet\w*)\b")
ERASE, HEIRS = "erase", "heirs"


@dataclass(frozen=True)
class DeathOutcome:
    notice: DeathNotice
    case: Case
    plan: object | None


def _aad(pk: int, field: str) -> str:
    return f"rights.death:{pk}:{field}"


def asks_for_erasure(text: str) -> bool:
    """Whether a directive's words ask for the data to be erased."""
    plain = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return bool(ERASE_WORDS.search(plain))


def current_directive(person: Person) -> PostMortemDirective | None:
    return PostMortemDirective.objects.filter(person=person, replaced_at__isnull=True).first()


def record_death(
    actor: Actor,
    person: Person,
    *,
    died_on: dt.date,
    proof: bytes,
    proof_type: str,
    notified_by: Requester,
    language: str = "fr",
) -> DeathOutcome:
    """Record the death with its proof, then apply the directive (see the module)."""
    _require(actor, Permission.RIGHTS_CASE_HANDLE)
    if not proof:
        raise RightsError(_("A death is recorded with its proof (a death certificate)."))
    if len(proof) > MAX_PROOF or proof_type not in PROOF_TYPES:
        raise RightsError(_("The proof must be a PDF, JPEG or PNG file of 10 MB at most."))
    if died_on > timezone.localdate():
        raise RightsError(_("The date of death cannot be in the future."))
    if not notified_by.email:
        raise RightsError(_("Give the address of the person who notified the death."))
    if DeathNotice.objects.filter(person=person).exists():
        raise RightsError(_("This person's death is already recorded."))
    directive = current_directive(person)
    wants_erasure = directive is not None and asks_for_erasure(
        open_space_field(directive.pk, "directive", directive.text_sealed)
    )
    outcome = ERASE if wants_erasure else HEIRS
    types = (
        [RequestType.POST_MORTEM, RequestType.ERASURE]
        if wants_erasure
        else [RequestType.POST_MORTEM]
    )
    with transaction.atomic():
        # Re-checked under the person's lock: two notifications at once record one death.
        Person.objects.select_for_update().filter(pk=person.pk).first()
        if DeathNotice.objects.filter(person=person).exists():
            raise RightsError(_("This person's death is already recorded."))
        case = open_case(
            actor,
            types=types,
            channel=Channel.POST,
            requester=notified_by,
            person=person,
            language=language,
            # The notifier's standing is established by staff from the proof received.
            verified_by=IdentityMethod.KNOWN_TO_STAFF,
        ).case
        notice = DeathNotice(
            person=person,
            died_on=died_on,
            proof_sealed=b"",
            notified_by_sealed=b"",
            recorded_at=timezone.now(),
            recorded_by=f"{actor.kind}:{actor.id}",
            outcome=outcome,
            case=case,
        )
        notice.save(force_insert=True)
        key = keyring.derive_key(_KEY_PURPOSE)
        notice.proof_sealed = crypto.seal(key, proof, _aad(notice.pk, "proof"))
        notice.notified_by_sealed = crypto.seal_text(
            key, notified_by.email, _aad(notice.pk, "notified_by")
        )
        notice.save(update_fields=["proof_sealed", "notified_by_sealed"])
        record_event(actor, RightsAction.DEATH_RECORD, person, extra={"outcome": outcome})
        _log(actor, case, RightsAction.DEATH_RECORD, "death_recorded", outcome=outcome)
        if not wants_erasure:
            # No more marketing to a deceased person: every address on the suppression list.
            suppress_all(
                addresses_of(person), ALL_PURPOSES, SuppressionReason.OBJECTED, timezone.now()
            )
            send_letter(actor, case, "rights_heirs_rights", _requester(case))
            case.refresh_from_db()
            case.status = "answered"
            _close(case)
            case.save()
            return DeathOutcome(notice, case, None)
    plan = erasure.propose(actor, case, ["a"])
    if plan.current_client:
        # A deceased person cannot confirm that the service stops: the notice ends it.
        plan.current_client = False
        plan.save(update_fields=["current_client"])
    return DeathOutcome(notice, case, plan)


def _requester(case: Case) -> To:
    return To.requester(str(case.id))


def open_proof(notice: DeathNotice) -> bytes:
    """The proof, for the privacy lead (the caller journals the read)."""
    key = keyring.derive_key(_KEY_PURPOSE)
    return crypto.open_sealed(key, bytes(notice.proof_sealed), _aad(notice.pk, "proof"))
