"""Read the outbox for the back-office: filters, counts, and the recipients' names.

Mail sits below the domains and may not import ``people``: the names shown beside
each message come from a function the people app registers at start-up
(``register_recipient_namer``). Without one, recipients show as « a person ».
The outbox never shows an address in a list (R30): the name links to the person.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import django_filters
from django.db.models import Count, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from vigie.audit.actor import Actor
from vigie.mail.models import Kind, Message, Purpose, Status


@dataclass(frozen=True)
class Recipient:
    name: str
    url: str


#: (actor, person ids, view name) -> each readable recipient, the read journaled once.
RecipientNamer = Callable[[Actor, list[uuid.UUID], str], dict[uuid.UUID, Recipient]]
_namer: list[RecipientNamer] = []


def register_recipient_namer(namer: RecipientNamer) -> None:
    _namer[:] = [namer]


def recipient_names(
    actor: Actor, person_ids: list[uuid.UUID], view: str
) -> dict[uuid.UUID, Recipient]:
    if not _namer or not person_ids:
        return {}
    return _namer[0](actor, person_ids, view)


#: What each template is, in words (the file name is shown in small print beside it).
TEMPLATE_LABELS = {
    "art14_notice": _("Art. 14 notice (data obtained from someone else)"),
    "newsletter": _("Newsletter"),
    "newsletter_confirmation": _("Newsletter sign-up confirmation"),
    "policy_change": _("Privacy policy change"),
    "preferences_link": _("Link to the e-mail preferences"),
    "role_grant_request": _("Role request to confirm"),
    "rights_acknowledgement": _("Rights request: acknowledgement"),
    "rights_identity_challenge": _("Rights request: identity confirmation link"),
    "rights_neutral_reply": _("Rights request: neutral reply"),
    "rights_extension_notice": _("Rights request: extension notice"),
    "rights_identification_impossible": _("Rights request: identity could not be verified"),
    "rights_refusal": _("Rights request: refusal"),
    "rights_partial_refusal": _("Rights request: partial refusal"),
    "rights_answer_cover": _("Rights request: answer"),
    "rights_erasure_done": _("Rights request: erasure carried out"),
    "rights_heirs_rights": _("Death notified: what the heirs can ask"),
    "rights_erasure_service_stop": _("Erasure: the client must confirm that the service stops"),
    "rights_identity_document_request": _("Rights request: identity document asked for"),
    "rights_art19_notice": _("Art. 19 notice to a recipient"),
    "rights_recipients_list": _("Rights request: the recipients of the data"),
    "rights_restriction_lifting": _("Rights request: restriction about to be lifted"),
    "rights_objection_decision": _("Rights request: decision on an objection"),
    "rights_access_ready": _("Rights request: link to the access package"),
    "rights_rectification_proof": _("Rights request: proof asked for an identity change"),
    "rights_rectification_done": _("Rights request: corrections made"),
    "staff_deadline_alert": _("Rights request nearly due or late (to staff)"),
    "rights_space_link": _("Link to the personal space"),
    "rights_email_change": _("New e-mail address to confirm"),
    "rights_portability_link": _("Portability: one-time link for the receiving controller"),
}


#: The reason codes a message is closed with (``mail.delivery``, the resolvers, the
#: marketing gate), in words; the code itself is shown beside them in small print.
REASONS = {
    "NO_ADDRESS": _("No e-mail address is known for this recipient."),
    "PERSON_ERASED": _("The person was erased."),
    "ORGANISATION_GONE": _("The organisation no longer exists."),
    "CASE_GONE": _("The rights request case no longer exists."),
    "LINK_GONE": _("The portability link no longer exists."),
    "RECIPIENT_NOT_IN_REGISTER": _("This recipient is no longer in the register."),
    "NO_RESOLVER": _("Vigie cannot address this kind of recipient."),
    "AUDIENCE_CHECK_UNAVAILABLE": _("The marketing audience rules could not be checked."),
    "NOT_ALLOWED": _("The audience rules do not allow this marketing message."),
    "UNKNOWN": _("The audience rules do not know this person."),
    "RESTRICTED": _("The person's data is restricted (Art. 18): no marketing until it is lifted."),
    "NO_SENDER": _("No register is loaded, so there is no sender: load one, then send again."),
    "RENDER": _("The message could not be written from its template."),
    # Closed as "RENDER: REGISTER_INCOMPLETE: …" (an Art. 14 notice, people.notices).
    "REGISTER_INCOMPLETE": _(
        "The register names no purpose or data category for this person's data: "
        "complete the register, then send again."
    ),
    "TEMPLATE_REFUSED": _("The template lacks what a marketing message must carry."),
    "UNEXPECTED_ERROR": _("An unexpected error stopped the message before it was sent."),
}
_CODE = re.compile(r"^([A-Z][A-Z_]+)\b")
_SMTP_REPLY = re.compile(r"(?:^|: )([45]\d\d)\b")
_GAVE_UP = re.compile(r"^gave up after (\d+) attempts")


def reason_in_words(message: Message) -> str:
    """Why a message failed or was refused, for a person; "" when it did not."""
    reason = message.last_error
    if not reason or message.status not in (Status.FAILED, Status.REFUSED):
        return ""
    if message.delivery_uncertain:
        return gettext(
            "Possibly delivered: the sending stopped after the message was handed to the mail "
            "server. Look for Message-ID %(id)s in the mail server's log before sending it again."
        ) % {"id": message.message_id}
    gave_up = _GAVE_UP.match(reason)
    if gave_up:
        return gettext(
            "The mail server could not be reached or kept deferring the message; "
            "given up after %(n)s attempts."
        ) % {"n": gave_up[1]}
    # A template's own reason code comes after "RENDER: ", when it gave one.
    code = _CODE.match(reason.removeprefix("RENDER: "))
    if not (code and code[1] in REASONS):
        code = _CODE.match(reason)
    if code and code[1] in REASONS:
        return str(REASONS[code[1]])
    reply = _SMTP_REPLY.search(reason)
    if reply:
        return gettext("The mail server refused the message (reply %(code)s).") % {"code": reply[1]}
    return gettext("The message could not be sent.")


class MessageFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Status.choices, empty_label=_("Any status")
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=Kind.choices, empty_label=_("Any kind")
    )
    purpose = django_filters.ChoiceFilter(
        label=_("Purpose"), choices=Purpose.choices, empty_label=_("Any purpose")
    )
    created = django_filters.DateFromToRangeFilter(
        label=_("Queued between"),
        field_name="created_at",
        widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"}),
    )

    class Meta:
        model = Message
        fields: list[str] = []


@dataclass(frozen=True)
class OutboxCounts:
    queued: int
    sent: int
    failed: int
    refused: int


def outbox_counts() -> OutboxCounts:
    """The outbox by state, in one query (the back-office home)."""
    totals = Message.objects.aggregate(
        queued=Count("pk", filter=Q(status__in=[Status.QUEUED, Status.SENDING])),
        sent=Count("pk", filter=Q(status=Status.SENT)),
        failed=Count("pk", filter=Q(status=Status.FAILED)),
        refused=Count("pk", filter=Q(status=Status.REFUSED)),
    )
    return OutboxCounts(**totals)
