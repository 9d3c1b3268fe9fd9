"""Art. 19 notices (R57): after a rectification, an erasure or a restriction, one task per
recipient of the disclosure log (R22) that received affected data.

``open_notices`` is what each fulfilment step calls, inside its own transaction, before
it changes the data (an erasure removes the person's disclosure log with the person).
It is safe to call again: a task already opened for that case, recipient and trigger is
kept, its categories widened. The case cannot close while one is open.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from vigie.accounts.permissions import Permission
from vigie.audit.actor import Actor
from vigie.audit.services import record_event
from vigie.disclosures.services import recipients_of
from vigie.lib import bounds
from vigie.lib.legal_calendar import PARIS
from vigie.mail.addressing import RECIPIENT, Outcome, To, Unreachable, resolve
from vigie.mail.models import Kind
from vigie.mail.rendering import RenderError
from vigie.mail.services import queue_message
from vigie.rights.actions import RightsAction
from vigie.rights.models import (
    NOTICE_ENDED,
    Case,
    CaseEvent,
    NoticeStatus,
    NoticeTrigger,
    RecipientNotice,
)


def open_notices(
    actor: Actor,
    case: Case,
    trigger: NoticeTrigger,
    categories: Iterable[str] | None = None,
) -> list[RecipientNotice]:
    """One open task per recipient that received data of ``categories`` (all the
    person's categories when ``None``); the case's tasks for ``trigger`` are returned."""
    if case.person is None:
        return []
    received = recipients_of(case.person, categories)
    with transaction.atomic():
        opened = 0
        for item in received:
            notice, created = RecipientNotice.objects.get_or_create(
                case=case,
                recipient=item.recipient,
                trigger=trigger,
                defaults={"categories": list(item.categories), "created_at": timezone.now()},
            )
            if not created:
                wider = list(dict.fromkeys([*notice.categories, *item.categories]))
                if wider != notice.categories:
                    notice.categories = wider
                    notice.save(update_fields=["categories"])
                continue
            opened += 1
            record_event(
                actor,
                RightsAction.NOTICE_OPEN,
                case,
                extra={
                    "number": case.number,
                    "recipient": item.recipient.key,
                    "trigger": str(trigger),
                    "categories": list(item.categories),
                },
            )
        if opened:
            # One timeline entry for the step (the audit has one event per recipient).
            CaseEvent.objects.create(
                case=case,
                occurred_at=timezone.now(),
                actor_type=actor.kind,
                actor_id=actor.id,
                kind="notices_opened",
                extra={"count": opened, "trigger": str(trigger)},
            )
    return list(case.notices.filter(trigger=trigger).select_related("recipient"))


def open_notices_of(case: Case) -> list[RecipientNotice]:
    """The case's notice tasks not yet done or explained."""
    return list(case.notices.exclude(status__in=list(NOTICE_ENDED)).select_related("recipient"))


# -- the tasks' work: send, done by hand, impossible (R57) ------------------------------

#: The e-mail to a recipient's privacy contact (FR/EN by the recipient's country).
NOTICE_TEMPLATE = "rights_art19_notice"


def _recipient_language(notice: RecipientNotice) -> str:
    return "fr" if (notice.recipient.country or "FR").upper() == "FR" else "en"


def _locked(notice: RecipientNotice) -> tuple[Case, RecipientNotice]:
    from vigie.rights.services import RightsError, _check_open

    case = Case.objects.select_for_update().get(pk=notice.case_id)
    _check_open(case)
    notice = (
        RecipientNotice.objects.select_for_update().select_related("recipient").get(pk=notice.pk)
    )
    if not notice.is_open:
        raise RightsError(_("This notice task is already ended."))
    return case, notice


def _notice_log(
    actor: Actor, case: Case, action: RightsAction, kind: str, n: RecipientNotice
) -> None:
    from vigie.rights.services import _log

    _log(actor, case, action, kind, recipient=n.recipient.key, trigger=n.trigger, notice=n.pk)


def send_notice(actor: Actor, notice: RecipientNotice) -> RecipientNotice:
    """Queue the notice to the recipient's privacy contact (the register's address).
    The task stays open until the mail server accepted it, then is ``SENT``
    (``record_notice_outcome``); a notice already queued is not queued twice."""
    from vigie.rights.services import RightsError, _require

    _require(actor, Permission.RIGHTS_CASE_HANDLE)
    with transaction.atomic():
        case, notice = _locked(notice)
        if notice.message_id is not None and not _failed(notice):
            raise RightsError(_("This notice is already queued: it is marked sent once delivered."))
        to = To(RECIPIENT, notice.recipient.key)
        try:
            resolve(to)
        except Unreachable:
            raise RightsError(
                _(
                    "The register gives no e-mail address for this recipient's privacy "
                    "contact: record one in the register, or tell them by other means and "
                    "mark the task done."
                )
            ) from None
        message = queue_message(
            actor,
            to,
            NOTICE_TEMPLATE,
            kind=Kind.SERVICE,
            context={"notice": str(notice.pk)},
            language=_recipient_language(notice),
        )
        notice.message_id = message.pk
        notice.save(update_fields=["message_id"])
        _notice_log(actor, case, RightsAction.NOTICE_SEND, "notice_sent", notice)
    return notice


def _failed(notice: RecipientNotice) -> bool:
    from vigie.mail.models import Message

    if notice.message_id is None:
        return True
    status = Message.objects.filter(pk=notice.message_id).values_list("status", flat=True).first()
    return status in {"failed", "refused", None}


def _end(
    actor: Actor, notice: RecipientNotice, status: NoticeStatus, note: str, *, required: str
) -> RecipientNotice:
    from vigie.rights.services import RightsError, _actor_label, _require

    _require(actor, Permission.RIGHTS_CASE_HANDLE)
    note = note.strip()
    if not note:
        raise RightsError(required)
    try:
        bounds.check_text(note, max_length=2000)
    except bounds.OutOfBounds as error:
        raise RightsError(str(error)) from None
    with transaction.atomic():
        case, notice = _locked(notice)
        notice.status = status
        notice.note = note
        notice.ended_at = timezone.now()
        notice.ended_by = _actor_label(actor)
        notice.save(update_fields=["status", "note", "ended_at", "ended_by"])
        if status == NoticeStatus.DONE:
            _notice_log(actor, case, RightsAction.NOTICE_DONE, "notice_done", notice)
        else:
            _notice_log(actor, case, RightsAction.NOTICE_IMPOSSIBLE, "notice_impossible", notice)
    return notice


def mark_done(actor: Actor, notice: RecipientNotice, note: str) -> RecipientNotice:
    """The recipient was told by other means (phone, post, their portal): how, in a note."""
    return _end(
        actor,
        notice,
        NoticeStatus.DONE,
        note,
        required=_("Say how the recipient was told (a note is required)."),
    )


def mark_impossible(actor: Actor, notice: RecipientNotice, reason: str) -> RecipientNotice:
    """Art. 19: impossible or disproportionate, only with the reason (it is shown to
    the person on request and to the CNIL)."""
    return _end(
        actor,
        notice,
        NoticeStatus.IMPOSSIBLE,
        reason,
        required=_("Impossible or disproportionate needs its reason."),
    )


def record_notice_outcome(outcome: Outcome) -> None:
    """Mail's delivery listener: the notice is ``SENT`` once the mail server took it."""
    notice = (
        RecipientNotice.objects.select_related("case", "recipient")
        .filter(message_id=outcome.message)
        .first()
    )
    if notice is None or outcome.status != "sent" or not notice.is_open:
        return
    notice.status = NoticeStatus.SENT
    notice.ended_at = outcome.at
    notice.ended_by = "system:mail"
    notice.save(update_fields=["status", "ended_at", "ended_by"])
    _notice_log(
        Actor.system("mail delivery"),
        notice.case,
        RightsAction.NOTICE_DELIVERED,
        "notice_delivered",
        notice,
    )


def check_notices_ended(case: Case) -> None:
    """The closing paths call this: a case does not close while an Art. 19 task is
    open (not sent, done or explained)."""
    from vigie.rights.services import RightsError

    still = open_notices_of(case)
    if still:
        names = ", ".join(n.recipient.name(case.language) for n in still)
        raise RightsError(
            ngettext(
                "An Art. 19 notice is still open (%(names)s): send it, mark it done, "
                "or record why it is impossible before closing the case.",
                "%(count)d Art. 19 notices are still open (%(names)s): send them, mark "
                "them done, or record why they are impossible before closing the case.",
                len(still),
            )
            % {"count": len(still), "names": names}
        )


# -- the notice's content (mail's context builder) -------------------------------------


def notice_context(refs: dict[str, Any], language: str) -> dict[str, Any]:
    """What the notice says, read when it is rendered: the case number, what changed
    (categories in words, the trigger), the recipient's own references for the person
    (minimal data: no name, no address), and the privacy lead's contact."""
    from vigie.disclosures.models import Disclosure
    from vigie.disclosures.services import category_words

    notice = (
        RecipientNotice.objects.select_related("case", "recipient")
        .filter(pk=int(refs["notice"]))
        .first()
    )
    if notice is None:
        raise RenderError("NOTICE_GONE: the Art. 19 notice task no longer exists")
    case = notice.case
    sent = (
        Disclosure.objects.filter(person=case.person, recipient=notice.recipient)
        if case.person is not None
        else Disclosure.objects.none()
    )
    references = []
    for d in sent:
        day = d.disclosed_at.astimezone(PARIS).strftime("%d/%m/%Y")
        references.append(f"{d.reference} ({day})" if d.reference else day)
    with translation.override(language):
        return {
            "number": case.number,
            "trigger": str(NoticeTrigger(notice.trigger).label).lower(),
            "trigger_code": notice.trigger,
            "categories": category_words(notice.categories, language),
            "references": references,
        }
