"""A case's timeline as sentences: each ``CaseEvent`` kind in words, its codes as labels.

The events hold codes and dates only (no personal data); this turns them into what a
privacy lead reads: « Délai prolongé ; nouvelle échéance le 10/06/2025 ».
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from vigie.lib.legal_calendar import paris_day
from vigie.mail.outbox import TEMPLATE_LABELS
from vigie.people.models import RestrictionReason
from vigie.rights.models import (
    CaseEvent,
    Channel,
    IdentityMethod,
    NoticeTrigger,
    Outcome,
    RequestType,
    Status,
)
from vigie.rights.rectification_models import ProofKind, attribute_labels


@dataclass(frozen=True)
class Step:
    at: datetime
    who: str
    text: str


def _day(value: str) -> str:
    if not value:
        return "—"
    try:
        parsed: date = (
            paris_day(datetime.fromisoformat(value)) if "T" in value else date.fromisoformat(value)
        )
    except ValueError:
        return "—"
    return parsed.strftime("%d/%m/%Y")


def _label(choices: Any, value: Any) -> str:
    return str(dict(choices).get(value, value))


def _opened(extra: Mapping[str, Any]) -> str:
    types = ", ".join(_label(RequestType.choices, t) for t in extra.get("types", []))
    text = _("Request recorded (%(types)s), received by %(channel)s on %(day)s.") % {
        "types": types,
        "channel": _label(Channel.choices, extra.get("channel", "")).lower(),
        "day": _day(extra.get("received_at", "")),
    }
    if extra.get("late"):
        text += " " + _("Recorded after its deadline: overdue from the start.")
    return text


def _decided(extra: Mapping[str, Any]) -> str:
    return _("Decision on « %(type)s »: %(outcome)s.") % {
        "type": _label(RequestType.choices, extra.get("type", "")),
        "outcome": _label(Outcome.choices, extra.get("outcome", "")).lower(),
    }


def _letter(extra: Mapping[str, Any]) -> str:
    return _("Letter queued: %(letter)s.") % {
        "letter": TEMPLATE_LABELS.get(extra.get("template", ""), _("a letter"))
    }


def _recipient_name(key: str) -> str:
    from vigie.register.models import Recipient

    recipient = Recipient.objects.filter(key=key).first()
    if recipient is None:
        return key
    return recipient.name("en" if (get_language() or "fr").startswith("en") else "fr")


def _notice(text: Any) -> Callable[[Mapping[str, Any]], str]:
    def sentence(extra: Mapping[str, Any]) -> str:
        return str(text) % {
            "recipient": _recipient_name(str(extra.get("recipient", ""))),
            "trigger": _label(NoticeTrigger.choices, extra.get("trigger", "")).lower(),
        }

    return sentence


def _alert(extra: Mapping[str, Any]) -> str:
    day = _day(extra.get("due_date", ""))
    if extra.get("alert") == "overdue":
        return _("Overdue alert sent to the handler and the privacy leads (due %(day)s).") % {
            "day": day
        }
    days = 2 if extra.get("alert") == "d2" else 7
    return _(
        "Alert %(days)s days before the due date sent to the handler and the privacy "
        "leads (due %(day)s)."
    ) % {"days": days, "day": day}


def _restricted(extra: Mapping[str, Any]) -> str:
    reason = _label(RestrictionReason.choices, extra.get("reason", "")).lower()
    if extra.get("categories"):
        return _("Processing restricted for some data (« LIMITÉ »): %(reason)s.") % {
            "reason": reason
        }
    return _("Processing restricted (« LIMITÉ »): %(reason)s.") % {"reason": reason}


def _source(name: str) -> str:
    """A source by its label (« Dolibarr (gestion commerciale et facturation) »)."""
    from django.utils.translation import get_language

    from vigie.sources.models import Source
    from vigie.sources.services import source_label

    if name == "vigie":
        return "Vigie"
    source = Source.objects.filter(name=name).first()
    if source is None:
        return name
    return source_label(source, "en" if (get_language() or "").startswith("en") else "fr")[0]


SENTENCES: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "opened": _opened,
    "received_at": lambda x: (
        _("Date of receipt corrected: %(before)s → %(after)s.")
        % {"before": _day(x.get("before", "")), "after": _day(x.get("after", ""))}
    ),
    "assigned": lambda x: _("Handler changed.") if x.get("handler") else _("Handler removed."),
    "challenge": lambda x: _("Confirmation link sent to the address on file."),
    "verified": lambda x: (
        _("Identity verified: %(method)s.")
        % {"method": _label(IdentityMethod.choices, x.get("method", "")).lower()}
    ),
    "suspended": lambda x: _("Clock suspended until the requester answers."),
    "resumed": lambda x: (
        _("Clock restarted; due date %(day)s.") % {"day": _day(x.get("due_date", ""))}
    ),
    "extended": lambda x: (
        _("Deadline extended by two months; due date %(day)s.")
        % {"day": _day(x.get("due_date", ""))}
    ),
    "deadline": lambda x: (
        _("Deadline set by the privacy lead: %(day)s.") % {"day": _day(x.get("due_date", ""))}
    ),
    "decided": _decided,
    "answered": lambda x: (
        _("Answer sent; case closed (%(status)s).")
        % {"status": _label(Status.choices, x.get("status", "")).lower()}
    ),
    "closed_unverified": lambda x: _("Case closed: identity could not be verified."),
    "letter": _letter,
    "scan": lambda x: _("Scan of the letter attached, dated on receipt."),
    "alert": _alert,
    "qualified": lambda x: (
        _("Message of the privacy mailbox sorted: %(types)s.")
        % {"types": ", ".join(_label(RequestType.choices, t).lower() for t in x.get("types", []))}
    ),
    "not_a_request": lambda x: _("Closed: the message was not a request."),
    "document_requested": lambda x: _(
        "Identity document asked for, as a last resort (reason recorded)."
    ),
    "document_stored": lambda x: _("Identity document received and stored, encrypted."),
    "document_verified": lambda x: _("Identity verified with the identity document."),
    "notices_opened": lambda x: (
        ngettext(
            "Art. 19: %(n)d recipient to tell of the %(trigger)s.",
            "Art. 19: %(n)d recipients to tell of the %(trigger)s.",
            int(x.get("count", 0)),
        )
        % {
            "n": int(x.get("count", 0)),
            "trigger": _label(NoticeTrigger.choices, x.get("trigger", "")).lower(),
        }
    ),
    "notice_sent": _notice(
        gettext_lazy("Art. 19 notice (%(trigger)s) queued by e-mail to %(recipient)s.")
    ),
    "notice_delivered": _notice(
        gettext_lazy("Art. 19 notice (%(trigger)s) delivered to the mail server of %(recipient)s.")
    ),
    "notice_done": _notice(
        gettext_lazy("Art. 19 notice (%(trigger)s) to %(recipient)s done by hand.")
    ),
    "notice_impossible": _notice(
        gettext_lazy(
            "Art. 19 notice (%(trigger)s) to %(recipient)s: impossible or disproportionate "
            "(reason recorded)."
        )
    ),
    "recipients_sent": lambda x: _("List of the recipients of their data sent to the person."),
    "document_deleted": lambda x: _("Identity document file deleted (kept 7 days after use)."),
    "restricted": _restricted,
    "restriction_notice": lambda x: _(
        "Letter queued telling the person the restriction will be lifted."
    ),
    "restriction_lifted": lambda x: _("Restriction lifted: processing may resume."),
    "objection_blocked": lambda x: _(
        "Objection recorded: the purposes objected to are stopped for the person today."
    ),
    "objection_overridden": lambda x: _(
        "Compelling legitimate grounds recorded by the privacy lead: one purpose goes on."
    ),
    "access_compiled": lambda x: (
        _("Access package compiled (%(items)s items found); downloadable until %(day)s.")
        % {"items": sum((x.get("counts") or {}).values()), "day": _day(x.get("expires_at", ""))}
    ),
    "access_sent": lambda x: _("Link to the access package sent to the address on file."),
    "access_downloaded": lambda x: (
        _("Access package downloaded (%(format)s).") % {"format": str(x.get("format", "")).upper()}
    ),
    "portability_built": lambda x: (
        _("Portability export made (%(rows)s rows); downloadable until %(day)s.")
        % {"rows": x.get("rows", 0), "day": _day(x.get("expires_at", ""))}
    ),
    "portability_downloaded": lambda x: (
        (
            _("Portability export downloaded by the person (%(format)s).")
            if x.get("by") == "person"
            else _("Portability export downloaded by staff (%(format)s).")
        )
        % {"format": str(x.get("format", "")).upper()}
    ),
    "portability_link_sent": lambda x: _(
        "One-time link to the portability export sent to the receiving controller."
    ),
    "portability_deleted": lambda x: _("Portability export expired: its files were deleted."),
    "portability_link_used": lambda x: _(
        "The receiving controller downloaded the portability export (link now spent)."
    ),
    "erasure_proposed": lambda x: (
        _("Erasure plan proposed: %(count)s categories, %(kept)s kept on a legal ground.")
        % {"count": x.get("categories", 0), "kept": len(x.get("kept", []))}
    ),
    "erasure_confirmed": lambda x: (
        _("Erasure plan confirmed by the privacy lead; waiting for the client to confirm.")
        if x.get("waiting_client")
        else _("Erasure plan confirmed by the privacy lead.")
    ),
    "erasure_client_confirmed": lambda x: _(
        "The client confirmed in writing that the service may stop."
    ),
    "erasure_failed": lambda x: _("Erasure stopped on a source: to be run again."),
    "erasure_done": lambda x: (
        _("Erasure carried out: %(erased)s categories erased, %(kept)s kept.")
        % {"erased": len(x.get("erased", [])), "kept": len(x.get("kept", []))}
    ),
    "death_recorded": lambda x: _("Death recorded with its proof; post-mortem directive applied."),
    "rectification_recorded": lambda x: (
        _("Corrections recorded: %(fields)s.") % {"fields": attribute_labels(x.get("fields", []))}
    ),
    "rectification_awaiting_proof": lambda x: (
        _("Identity data (%(fields)s): proof asked for before the change.")
        % {"fields": attribute_labels(x.get("fields", []))}
    ),
    "rectification_proof": lambda x: (
        _("Proof of the change recorded: %(proof)s.")
        % {"proof": _label(ProofKind.choices, x.get("proof", "")).lower()}
    ),
    "rectification_applied": lambda x: (
        _("Corrections applied (%(fields)s): %(places)s places changed.")
        % {"fields": attribute_labels(x.get("fields", [])), "places": x.get("places", 0)}
    ),
    "rectification_task": lambda x: (
        _("Task for the owner of %(source)s: correct by hand %(fields)s (not mapped).")
        % {"source": _source(x.get("source", "")), "fields": attribute_labels(x.get("fields", []))}
    ),
    "rectification_task_done": lambda x: (
        _("Rectification task done in %(source)s.") % {"source": _source(x.get("source", ""))}
    ),
}


def timeline(events: Iterable[CaseEvent], names: Mapping[str, str]) -> list[Step]:
    steps = []
    for event in events:
        sentence = SENTENCES.get(event.kind)
        text = sentence(event.extra or {}) if sentence else _("Other step recorded.")
        who = names.get(f"{event.actor_type}:{event.actor_id}", "")
        steps.append(Step(event.occurred_at, who, text))
    return steps
