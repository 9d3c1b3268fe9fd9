"""Erasure (Art. 17, R53, R19; policy weak points L9, L10): the plan, the client's
confirmation, the run, the letter.

For an erasure case, Vigie proposes a plan per register category the person has data in
(``find_subject``): erase, or keep on ONE specific Art. 17(3) ground until a date of the
legal calendar, counted from a date of the person's own rows (``subject_dates``: the last
invoice, the end of the contract). Grounds are a closed list (:data:`GROUNDS`): a free
text or « motif légitime » is refused. The privacy lead may change each category's
choice, then confirms. A current client is told the service will stop and must confirm
first (the erasure waits). The run opens the Art. 19 notices, then erases through
``vigie.sources.services.erase_subject`` (external sources first, Vigie's store last,
crypto-shredded); a source that fails leaves the plan « failed » and the run can be
started again. The letter lists what was erased and what was kept, why and until when.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vigie.accounts.permissions import Permission
from vigie.audit.actor import Actor
from vigie.lib.legal_calendar import accounting_keep_until, limitation_keep_until
from vigie.mail.addressing import To
from vigie.people.models import Person, SubjectType
from vigie.people.services import PersonUnavailable, open_person
from vigie.rights.actions import RightsAction
from vigie.rights.models import (
    Case,
    Decision,
    ErasurePlan,
    ErasureStatus,
    IdentityStatus,
    NoticeTrigger,
    Outcome,
    RequestType,
    Status,
)
from vigie.rights.services import RightsError, _check_open, _close, _log, _require, send_letter
from vigie.sources.builtin import CONSENT_PROOFS, OUTBOX, SUPPRESSION
from vigie.sources.sql_dates import Anchor
from vigie.sources.sql_schema import SourceError
from vigie.sources.types import Erase, EraseReport, Keep, Plan, Subject

ERASE, KEEP = "erase", "keep"
SERVICE_STOP = "rights_erasure_service_stop"


@dataclass(frozen=True)
class Ground:
    """An Art. 17(3) exception: its letter, the words the letter quotes, and what it means."""

    key: str
    text: str
    meaning: Any


#: The closed list of grounds an erasure may keep data on (Art. 17(3)(a)–(e)); nothing
#: else, in particular no free text and no « motif légitime » (that is Art. 21's).
GROUNDS: dict[str, Ground] = {
    g.key: g
    for g in (
        Ground(
            "a-expression",
            "17(3)(a) – art. 85 RGPD",
            gettext_lazy("freedom of expression and information"),
        ),
        Ground(
            "b-accounting",
            "17(3)(b) – L123-22 C. com.",
            gettext_lazy("legal obligation to keep accounting documents for 10 years"),
        ),
        Ground(
            "c-public-health",
            "17(3)(c) – art. 9(2)(h) et (i) RGPD",
            gettext_lazy("public interest in the area of public health"),
        ),
        Ground(
            "d-archiving",
            "17(3)(d) – art. 89(1) RGPD",
            gettext_lazy("archiving in the public interest, research or statistics"),
        ),
        Ground(
            "e-claims",
            "17(3)(e) – C. civ. 2224, C. com. L110-4",
            gettext_lazy("establishment, exercise or defence of legal claims (limitation period)"),
        ),
        Ground(
            "e-legal-hold",
            "17(3)(e) – gel juridique",
            gettext_lazy("legal claims: a dispute under way (legal hold)"),
        ),
    )
}

#: The Art. 17(1) grounds a person may invoke, all six (the policy lists fewer: L9).
ART17_1: dict[str, Any] = {
    "a": gettext_lazy("17(1)(a) – the data are no longer necessary for their purposes"),
    "b": gettext_lazy("17(1)(b) – consent withdrawn, and no other legal ground"),
    "c": gettext_lazy("17(1)(c) – objection under Art. 21, no overriding legitimate ground"),
    "d": gettext_lazy("17(1)(d) – the data have been unlawfully processed"),
    "e": gettext_lazy("17(1)(e) – erasure required by a legal obligation"),
    "f": gettext_lazy("17(1)(f) – data of a child collected for online services (Art. 8(1))"),
}

#: Categories kept by default, with their ground and how the end date is counted.
ACCOUNTING = "billing-accounting"
CONTRACTS = "contract-services"
LITIGATION = "litigation-files"
DEFAULT_KEEP = {ACCOUNTING: "b-accounting", CONTRACTS: "e-claims", LITIGATION: "e-legal-hold"}
#: What Vigie's own store keeps by law whatever the plan (``BuiltinSource.erase``): not
#: a choice of the plan; the letter lists them as kept.
LAW_KEPT = frozenset({CONSENT_PROOFS, SUPPRESSION, OUTBOX})
#: Subject types of a client (R53: a current client is warned the service will stop).
CLIENT_TYPES = frozenset(
    {SubjectType.CLIENT_CONTACT_B2B, SubjectType.CLIENT_INDIVIDUAL_B2C, SubjectType.CLIENT_END_USER}
)


class ErasureError(RightsError):
    """An erasure step refused: the message says why (shown to staff)."""


# -- the plan ---------------------------------------------------------------------------


def subject_of(person: Person) -> Subject:
    """Whom the sources look for: every address of the person (main and further)."""
    try:
        data = open_person(person)
    except PersonUnavailable:
        raise ErasureError(_("This person's data is already erased.")) from None
    return Subject(email=data.emails)


def _latest(
    anchors: Iterable[Anchor], category: str, *, fiscal: bool | None = None
) -> Anchor | None:
    chosen = [
        a
        for a in anchors
        if a.category == category
        and a.latest is not None
        and (fiscal is None or a.from_fiscal_year_close == fiscal)
    ]
    return max(chosen, key=lambda a: a.latest or dt.date.min) if chosen else None


def keep_until(
    category: str, anchors: list[Anchor], year_end: str
) -> tuple[dt.date | None, Anchor | None]:
    """The legal calendar's end date for keeping ``category``, and the row event it counts
    from (None when the person's rows give no date: the privacy lead sets one)."""
    if category == ACCOUNTING:
        anchor = _latest(anchors, ACCOUNTING, fiscal=True)
        return (
            (accounting_keep_until(anchor.latest, year_end), anchor)
            if anchor and anchor.latest
            else (None, None)
        )
    anchor = _latest(anchors, category)
    if anchor is None or anchor.latest is None:
        return None, None
    return limitation_keep_until(anchor.latest), anchor


def is_current_client(person: Person, anchors: list[Anchor], today: dt.date) -> bool:
    """A current client: a contract row still open (no closing date) or ending later; or,
    when the sources hold no contract, a client subject type on the person."""
    contracts = [a for a in anchors if a.category == CONTRACTS]
    if contracts:
        return any(a.open_rows or (a.latest and a.latest > today) for a in contracts)
    return bool(CLIENT_TYPES & set(person.subject_types or []))


def propose(actor: Actor, case: Case, invoked: Iterable[str] = ()) -> ErasurePlan:
    """Propose the plan of an erasure case from the person's rows (idempotent: an
    existing plan not yet run is proposed again from the rows as they are now)."""
    from django.conf import settings

    from vigie.sources.services import find_subject, subject_dates

    _require(actor, Permission.RIGHTS_CASE_HANDLE)
    if RequestType.ERASURE not in case.types:
        raise ErasureError(_("This case is not an erasure request."))
    if case.person is None:
        raise ErasureError(_("Link the case to a person of the register first."))
    _check_open(case)
    invoked = _check_invoked(invoked)
    subject = subject_of(case.person)
    results = find_subject(actor, subject)
    anchors = subject_dates(actor, subject)
    categories = sorted({row.category for r in results for row in r.rows} - LAW_KEPT)
    year_end = settings.FISCAL_YEAR_END
    proposed: dict[str, dict[str, str]] = {}
    basis: dict[str, dict[str, Any]] = {}
    for category in categories:
        ground = DEFAULT_KEEP.get(category)
        if ground is None:
            proposed[category] = {"choice": ERASE, "ground": "", "until": ""}
            continue
        until, anchor = keep_until(category, anchors, year_end)
        proposed[category] = {
            "choice": KEEP,
            "ground": ground,
            "until": until.isoformat() if until else "",
        }
        if anchor is not None and anchor.latest is not None:
            basis[category] = {"event": anchor.event, "date": anchor.latest.isoformat()}
    current = is_current_client(case.person, anchors, timezone.localdate())
    with transaction.atomic():
        plan = ErasurePlan.objects.select_for_update().filter(case=case).first()
        if plan is not None and plan.status == ErasureStatus.DONE:
            raise ErasureError(_("This erasure has already been carried out."))
        if plan is None:
            plan = ErasurePlan(case=case, created_at=timezone.now())
        plan.proposed, plan.choices, plan.basis = proposed, dict(proposed), basis
        plan.invoked = invoked or plan.invoked
        plan.current_client = current
        plan.status = ErasureStatus.PROPOSED
        plan.confirmed_at, plan.confirmed_by = None, ""
        plan.save()
        _log(
            actor,
            case,
            RightsAction.ERASURE_PROPOSE,
            "erasure_proposed",
            categories=len(proposed),
            kept=sorted(c for c, p in proposed.items() if p["choice"] == KEEP),
            current_client=current,
        )
    return plan


def _check_verified(case: Case) -> None:
    """Art. 12(6): nothing is erased, nor written to the requester, before their identity
    is verified (the plan may be prepared meanwhile)."""
    if case.identity_status != IdentityStatus.VERIFIED:
        raise ErasureError(_("Identity is not verified: nothing may be disclosed or erased yet."))


def _check_invoked(invoked: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(str(i) for i in invoked))
    unknown = [i for i in chosen if i not in ART17_1]
    if unknown:
        raise ErasureError(
            _("Unknown Art. 17(1) ground: %(grounds)s.") % {"grounds": ", ".join(unknown)}
        )
    return chosen


def check_choice(category: str, choice: Mapping[str, str]) -> dict[str, str]:
    """One category's choice, checked: erase; or keep on a ground of the closed list
    until a date (a free-text ground is refused)."""
    kind = choice.get("choice", "")
    if kind == ERASE:
        return {"choice": ERASE, "ground": "", "until": ""}
    if kind != KEEP:
        raise ErasureError(_("Choose erase or keep for every category."))
    ground = choice.get("ground", "")
    if ground not in GROUNDS:
        raise ErasureError(
            _(
                "Data can be kept only on one of the Art. 17(3) grounds (a) to (e): a free "
                "text or a « legitimate reason » is not one."
            )
        )
    try:
        until = dt.date.fromisoformat(choice.get("until", ""))
    except ValueError:
        raise ErasureError(_("Give the date until which kept data stays.")) from None
    if until <= timezone.localdate():
        raise ErasureError(_("The date until which data is kept must be in the future."))
    return {"choice": KEEP, "ground": ground, "until": until.isoformat()}


def choose(
    actor: Actor,
    case: Case,
    choices: Mapping[str, Mapping[str, str]],
    invoked: Iterable[str],
) -> ErasurePlan:
    """The privacy lead's choice per category, then confirmed: the plan may run (once a
    current client has confirmed too). Every category of the proposal needs a choice."""
    _require(actor, Permission.RIGHTS_CASE_REFUSE)
    invoked = _check_invoked(invoked)
    with transaction.atomic():
        plan = _plan(case, lock=True)
        _check_open(plan.case)
        if plan.status == ErasureStatus.DONE:
            raise ErasureError(_("This erasure has already been carried out."))
        _check_verified(plan.case)
        missing = set(plan.proposed) - set(choices)
        if missing or set(choices) - set(plan.proposed):
            raise ErasureError(_("Choose erase or keep for every category."))
        checked = {c: check_choice(c, choices[c]) for c in plan.proposed}
        if not invoked:
            raise ErasureError(_("Record the Art. 17(1) grounds the person invokes."))
        plan.choices, plan.invoked = checked, invoked
        plan.confirmed_at, plan.confirmed_by = timezone.now(), f"{actor.kind}:{actor.id}"
        waiting = plan.current_client and plan.client_confirmed_at is None
        plan.status = ErasureStatus.AWAITING_CLIENT if waiting else ErasureStatus.CONFIRMED
        plan.save()
        if waiting and not plan.case.letters.filter(template=SERVICE_STOP).exists():
            # The client is told the service will stop and asked to confirm in writing.
            send_letter(actor, plan.case, SERVICE_STOP, To.requester(str(plan.case.id)))
        changed = sorted(c for c in checked if checked[c] != plan.proposed.get(c))
        _log(
            actor,
            case,
            RightsAction.ERASURE_CONFIRM,
            "erasure_confirmed",
            changed=changed,
            invoked=invoked,
            waiting_client=waiting,
        )
    return plan


def record_client_confirmation(actor: Actor, case: Case, note: str) -> ErasurePlan:
    """A current client confirmed in writing that the service may stop (staff records
    their answer): the erasure may run."""
    _require(actor, Permission.RIGHTS_CASE_HANDLE)
    note = note.strip()
    if not note:
        raise ErasureError(_("Say how the client confirmed (their letter or e-mail, its date)."))
    if len(note) > 2000:
        raise ErasureError(_("Keep the note under 2,000 characters."))
    with transaction.atomic():
        plan = _plan(case, lock=True)
        if not plan.current_client:
            raise ErasureError(_("This person is not a current client: no confirmation is needed."))
        if plan.client_confirmed_at is not None:
            return plan
        plan.client_confirmed_at = timezone.now()
        plan.client_confirmed_by = f"{actor.kind}:{actor.id}"
        plan.client_confirmation = note
        if plan.status == ErasureStatus.AWAITING_CLIENT:
            plan.status = ErasureStatus.CONFIRMED
        plan.save()
        _log(actor, case, RightsAction.ERASURE_CLIENT_CONFIRM, "erasure_client_confirmed")
    return plan


def _plan(case: Case, *, lock: bool = False) -> ErasurePlan:
    plans = ErasurePlan.objects.select_related("case", "case__person")
    if lock:
        plans = plans.select_for_update(of=("self",))
    plan = plans.filter(case=case).first()
    if plan is None:
        raise ErasureError(_("No erasure plan has been proposed for this case yet."))
    return plan


def plan_of(case: Case) -> ErasurePlan | None:
    return ErasurePlan.objects.filter(case=case).first()


def as_plan(choices: Mapping[str, Mapping[str, str]]) -> Plan:
    """The sources' plan: each category erased, or kept with its ground's words and date."""
    out: dict[str, Erase | Keep] = {}
    for category, choice in choices.items():
        if choice["choice"] == KEEP:
            ground = GROUNDS[choice["ground"]].text
            out[category] = Keep(ground, dt.date.fromisoformat(choice["until"]))
        else:
            out[category] = Erase()
    return out


# -- the run ----------------------------------------------------------------------------


def run(actor: Actor, case: Case) -> ErasurePlan:
    """Carry out the confirmed plan: Art. 19 notices first, then every source, then the
    letter. Refused while a current client has not confirmed. A failed source leaves the
    plan « failed »: run it again (every step is safe to repeat)."""
    from vigie.disclosures.models import Disclosure
    from vigie.rights.art19 import open_notices, open_notices_of

    _require(actor, Permission.RIGHTS_CASE_REFUSE)
    plan = _plan(case)
    if plan.status == ErasureStatus.DONE:
        return plan
    _check_open(plan.case)
    _check_verified(plan.case)
    if plan.status == ErasureStatus.AWAITING_CLIENT:
        raise ErasureError(
            _(
                "The person is a current client: their confirmation that the service "
                "will stop is awaited."
            )
        )
    if plan.status == ErasureStatus.PROPOSED:
        raise ErasureError(_("The privacy lead has not confirmed the plan yet."))
    person = plan.case.person
    assert person is not None
    erased = sorted(c for c, p in plan.choices.items() if p["choice"] == ERASE)
    # Before anything changes: the recipients of the person's disclosure log (R22) are
    # known now, and the log goes with the person.
    open_notices(actor, plan.case, NoticeTrigger.ERASURE, erased)
    ErasurePlan.objects.filter(pk=plan.pk).update(runs=plan.runs + 1)
    reports: list[EraseReport] = []
    if person.shredded_at is None:
        reports = _erase(actor, plan, subject_of(person))
    # else: an earlier run erased every source (Vigie's store goes last) but did not
    # finish its own last step: only that step is left to do.
    with transaction.atomic():
        plan = _plan(case, lock=True)
        if plan.status == ErasureStatus.DONE:
            # A second request (double submit) ran meanwhile and took the last step.
            return plan
        plan.kept = _kept(reports, plan.choices)
        plan.erased = erased
        plan.counts = {
            r.source: {t: [o.deleted, o.updated, o.kept] for t, o in r.tables.items()}
            for r in reports
        }
        plan.status, plan.done_at, plan.failed = ErasureStatus.DONE, timezone.now(), ""
        plan.save()
        gone = Disclosure.objects.filter(person=person).delete()[0]
        _withdraw_copies(person)
        _log(
            actor,
            plan.case,
            RightsAction.ERASURE_RUN,
            "erasure_done",
            erased=erased,
            kept=sorted(plan.kept),
            disclosures=gone,
        )
        kept_any = any(p["choice"] == KEEP for p in plan.choices.values())
        _record_decision(actor, plan.case, kept_any, plan.choices)
        send_letter(
            actor, plan.case, "rights_erasure_done", To.requester(str(plan.case.id)), erasure="1"
        )
        if not open_notices_of(plan.case):
            # The letter is the answer; with Art. 19 notices still open the case stays
            # open until they are done (the handler closes it then).
            case_row = Case.objects.select_for_update().get(pk=plan.case.pk)
            case_row.status = Status.PARTIALLY_REFUSED if kept_any else Status.ANSWERED
            _close(case_row)
            case_row.save()
    return plan


def _withdraw_copies(person: Person) -> None:
    """The copies of the person's data made for earlier requests stop being served: every
    access package expires now (the sealed copy stays a case file), every portability
    export expires and its files are deleted (the links already sent then refuse)."""
    from vigie.rights.access_models import AccessPackage
    from vigie.rights.portability import delete_expired
    from vigie.rights.portability_models import PortabilityExport

    now = timezone.now()
    AccessPackage.objects.filter(case__person=person, expires_at__gt=now).update(expires_at=now)
    PortabilityExport.objects.filter(
        case__person=person, expires_at__gt=now, deleted_at__isnull=True
    ).update(expires_at=now)
    delete_expired(now)


def _erase(actor: Actor, plan: ErasurePlan, subject: Subject) -> list[EraseReport]:
    from vigie.sources.services import erase_subject

    try:
        return erase_subject(actor, subject, as_plan(plan.choices))
    except Exception as error:
        # A source's error names the source, never the data; anything else by its kind.
        text = str(error) if isinstance(error, SourceError) else ""
        reason = (text.splitlines()[0] if text else type(error).__name__)[:200]
        with transaction.atomic():
            ErasurePlan.objects.filter(pk=plan.pk).update(
                status=ErasureStatus.FAILED, failed=reason
            )
            _log(actor, plan.case, RightsAction.ERASURE_RUN, "erasure_failed")
        raise ErasureError(
            _("The erasure stopped on a source (%(reason)s): fix it and run the erasure again.")
            % {"reason": reason}
        ) from error


def _record_decision(
    actor: Actor, case: Case, kept_any: bool, choices: Mapping[str, Mapping[str, str]]
) -> None:
    """The decision on the erasure: granted, or partly refused on the grounds kept. Its
    letter is the erasure letter (with the CNIL block), not a separate refusal."""
    grounds = "; ".join(
        dict.fromkeys(GROUNDS[p["ground"]].text for p in choices.values() if p["choice"] == KEEP)
    )
    outcome = Outcome.PARTIAL if kept_any else Outcome.GRANTED
    Decision.objects.create(
        case=case,
        request_type=RequestType.ERASURE,
        outcome=outcome,
        grounds=grounds,
        decided_at=timezone.now(),
        decided_by=f"{actor.kind}:{actor.id}",
    )
    _log(
        actor, case, RightsAction.CASE_DECIDE, "decided", type=RequestType.ERASURE, outcome=outcome
    )


def _kept(
    reports: list[EraseReport], choices: Mapping[str, Mapping[str, str]]
) -> dict[str, list[str]]:
    """Per kept category, its ground's words and end date (ISO, or empty when the law
    keeps it with no set date)."""
    kept: dict[str, list[str]] = {}
    for category, choice in choices.items():
        if choice["choice"] == KEEP:
            kept[category] = [GROUNDS[choice["ground"]].text, choice["until"]]
    for report in reports:
        for category, (ground, ends) in report.kept_categories.items():
            if category in kept or category in choices:
                continue
            kept[category] = [ground, ends.isoformat() if ends else ""]
    return kept


# -- the letter -------------------------------------------------------------------------


def category_labels(keys: Iterable[str], language: str) -> dict[str, str]:
    from vigie.register.models import DataCategory

    wanted = list(keys)
    found = {
        c.key: (c.label_fr if language == "fr" else c.label_en)
        for c in DataCategory.objects.filter(key__in=wanted)
    }
    return {k: found.get(k, k) for k in wanted}


def _day(value: str) -> str:
    return dt.date.fromisoformat(value).strftime("%d/%m/%Y") if value else ""


def letter_context(case: Case, language: str) -> dict[str, Any]:
    """What the erasure letter says: the categories erased (in words), those kept, each
    with its ground and end date (JJ/MM/AAAA)."""
    plan = plan_of(case)
    if plan is None or plan.status != ErasureStatus.DONE:
        return {"erased": [], "kept": []}
    labels = category_labels([*plan.erased, *plan.kept], language)
    with translation.override(language):
        kept = []
        for category, (ground, until) in sorted(plan.kept.items(), key=lambda i: labels[i[0]]):
            meaning = next((g.meaning for g in GROUNDS.values() if g.text == ground), "")
            kept.append(
                {
                    "category": labels[category],
                    "ground": ground,
                    "meaning": str(meaning),
                    "until": _day(until),
                }
            )
        return {
            "erased": sorted(labels[c] for c in plan.erased),
            "kept": kept,
            "invoked": [str(ART17_1[k]) for k in plan.invoked if k in ART17_1],
        }
