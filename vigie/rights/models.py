"""Data-subject requests (Art. 12, 15–22 GDPR; R46–R50, R59, R78–R80): one case per request.

A case keeps what Art. 5(2) accountability needs: types, channel, the day the request
reached the company (``received_at``, R46), who asked (sealed), how their identity was
checked, the legal clock (``due_date``, ``outer_limit``, suspensions, extension; R47),
decisions with their grounds, the letters sent and a timeline. The requester's contact
details and the text of the request are sealed (R30) with a key derived for this domain;
the case's own row holds only references, dates and codes.

A case is kept per the register's ``dsr-case-files`` rule (5 years after closure) and
cannot be deleted before ``retain_until`` (the model refuses it).
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from vigie.audit.models import AppendOnlyModel
from vigie.people.models import Person


class RequestType(models.TextChoices):
    """What the person asks (Art. 15–22, Art. 7(3); loi I&L art. 85; Art. 77/R80)."""

    ACCESS = "access", _("Access")
    RECTIFICATION = "rectification", _("Rectification")
    ERASURE = "erasure", _("Erasure")
    RESTRICTION = "restriction", _("Restriction of processing")
    OBJECTION = "objection", _("Objection")
    PORTABILITY = "portability", _("Portability")
    WITHDRAWAL = "withdrawal", _("Withdrawal of consent")
    POST_MORTEM = "post_mortem", _("Post-mortem directive")
    COMPLAINT = "complaint", _("Complaint")
    CNIL_INQUIRY = "cnil_inquiry", _("CNIL inquiry")


#: Types whose deadline the privacy lead sets (R80): not the Art. 12(3) month.
OWN_DEADLINE_TYPES = frozenset({RequestType.COMPLAINT, RequestType.CNIL_INQUIRY})


class Channel(models.TextChoices):
    """How the request reached the company (R46, R78)."""

    PORTAL = "portal", _("Web form on the portal")
    PERSONAL_SPACE = "personal_space", _("Personal space")
    MAILBOX = "mailbox", _("E-mail to the privacy mailbox")
    EMAIL = "email", _("E-mail to a member of staff")
    POST = "post", _("Post")
    PHONE = "phone", _("Telephone")
    COLLEAGUE = "colleague", _("Handed to a colleague")
    API = "api", _("Other software (API)")


class Status(models.TextChoices):
    AWAITING_IDENTITY = "awaiting_identity", _("Awaiting identity check")
    IN_PROGRESS = "in_progress", _("In progress")
    #: An identity field to rectify needs a proportionate proof (R54; issue 14).
    AWAITING_PROOF = "awaiting_proof", _("Awaiting proof")
    ANSWERED = "answered", _("Answered")
    PARTIALLY_REFUSED = "partially_refused", _("Partially refused")
    # « la demande » : feminine in French, unlike a refused e-mail (mail.Status).
    REFUSED = "refused", pgettext_lazy("a rights request or decision", "Refused")
    #: The person could not be identified (Art. 12(2)), or did not answer the challenge.
    UNVERIFIED = "unverified", _("Closed: identity not verified")
    #: Opened for a message of the privacy mailbox that turned out not to be a request
    #: (spam, a question, a follow-up sorted under another case).
    NOT_A_REQUEST = "not_a_request", _("Closed: not a request")


OPEN_STATUSES = frozenset({Status.AWAITING_IDENTITY, Status.IN_PROGRESS, Status.AWAITING_PROOF})
CLOSED_STATUSES = frozenset(set(Status) - OPEN_STATUSES)


class IdentityStatus(models.TextChoices):
    NOT_CHECKED = "not_checked", _("Not checked yet")
    AWAITING = "awaiting", _("Challenge sent, awaiting the answer")
    VERIFIED = "verified", _("Verified")
    FAILED = "failed", _("Could not be verified")


class IdentityMethod(models.TextChoices):
    """R48: how identity was established, least intrusive first."""

    ON_FILE_ADDRESS = "on_file_address", _("Confirmation link sent to the address on file")
    PERSONAL_SPACE = "personal_space", _("Signed-in personal space")
    CUSTOMER_REFERENCE = (
        "customer_reference",
        _("Customer or contract reference matching the postal address on file"),
    )
    KNOWN_TO_STAFF = "known_to_staff", _("Known to the member of staff (call or meeting)")
    ID_DOCUMENT = "id_document", _("Identity document (last resort)")


class CaseDeletionRefused(RuntimeError):
    """A case may not be deleted before its retention date (R46, R12)."""


class Case(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    number = models.CharField(max_length=20, unique=True)
    types = models.JSONField(
        default=list, help_text="Category: data-subject request case files (types asked)."
    )
    channel = models.CharField(max_length=20, choices=Channel.choices)
    # R46: the day the request reached the company, which staff may set back to the day a
    # colleague first received it; the clock runs from here, not from the recording.
    received_at = models.DateTimeField(
        help_text="Category: data-subject request case files (arrival at the company)."
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.CharField(max_length=100, blank=True, help_text="actor kind:id")
    person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Category: data-subject request case files (the person the request is "
        "about, once known).",
    )
    language = models.CharField(max_length=8, default="fr")
    # The requester's own address as a keyed blind index: to find their cases and to
    # rate-limit, never to display.
    requester_email_index = models.CharField(
        max_length=64,
        blank=True,
        db_index=True,
        help_text="Category: data-subject request case files (blind index of the "
        "requester's address).",
    )
    requester_sealed = models.BinaryField(
        null=True,
        help_text="Category: data-subject request case files (requester's name, address, "
        "phone and postal address, sealed).",
    )
    description_sealed = models.BinaryField(
        null=True,
        help_text="Category: data-subject request case files (the request's own words, sealed).",
    )
    identity_status = models.CharField(
        max_length=16, choices=IdentityStatus.choices, default=IdentityStatus.NOT_CHECKED
    )
    identity_method = models.CharField(
        max_length=24, choices=IdentityMethod.choices, blank=True, default=""
    )
    identity_verified_at = models.DateTimeField(null=True, blank=True)
    identity_verified_by = models.CharField(max_length=100, blank=True, default="")
    # R48: the clock stops from the challenge to the answer; each pair is kept.
    suspensions = models.JSONField(
        default=list, blank=True, help_text="[[challenge ISO time, answer ISO time or null]…]"
    )
    suspended_from = models.DateTimeField(null=True, blank=True)
    suspended_to = models.DateTimeField(null=True, blank=True)
    # R47 (C2): both stored; ``due_date`` is None while the clock is suspended.
    due_date = models.DateField(null=True, blank=True)
    outer_limit = models.DateField(null=True, blank=True)
    deadline_set_by_privacy_lead = models.BooleanField(default=False)
    extended_at = models.DateTimeField(null=True, blank=True)
    extension_reasons = models.TextField(blank=True, default="")
    extension_notice_sent_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.AWAITING_IDENTITY
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Category: staff accounts (the member of staff handling the case).",
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closing_reason = models.TextField(blank=True, default="")
    # R78: a message of the privacy mailbox opens a case at once (its acknowledgement
    # gives the number and the due date within minutes); its types are chosen when a
    # privacy lead sorts the message (``types`` empty until then).
    source_message = models.UUIDField(
        null=True, blank=True, unique=True, help_text="The inbound message (mail) that opened it."
    )
    retain_until = models.DateField(null=True, blank=True)

    PERSONAL_DATA: ClassVar[dict[str, str]] = {
        "types": "dsr-case-files",
        "received_at": "dsr-case-files",
        "person": "dsr-case-files",
        "requester_email_index": "dsr-case-files",
        "requester_sealed": "dsr-case-files",
        "description_sealed": "dsr-case-files",
        "identity_status": "dsr-case-files",
        "identity_method": "dsr-case-files",
        "identity_verified_at": "dsr-case-files",
        "suspensions": "dsr-case-files",
        "suspended_from": "dsr-case-files",
        "suspended_to": "dsr-case-files",
        "due_date": "dsr-case-files",
        "outer_limit": "dsr-case-files",
        "extension_reasons": "dsr-case-files",
        "status": "dsr-case-files",
        "closing_reason": "dsr-case-files",
        "handler": "staff-accounts",
    }

    class Meta:
        indexes = [models.Index(fields=["status", "due_date"])]
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        from django.utils import timezone

        if self.retain_until is None or self.retain_until > timezone.localdate():
            raise CaseDeletionRefused(
                f"case {self.number} is kept until its retention date "
                f"({self.retain_until or 'after closure'})"
            )
        return super().delete(*args, **kwargs)


class CaseEvent(AppendOnlyModel):
    """One step of a case, for its timeline (the audit chain holds the same facts)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    occurred_at = models.DateTimeField()
    actor_type = models.CharField(max_length=16)
    actor_id = models.CharField(max_length=100, blank=True)
    kind = models.CharField(max_length=40)
    # Codes, dates and references; no personal data (the case's sealed fields hold it).
    extra = models.JSONField(default=dict, blank=True)

    PERSONAL_DATA: ClassVar[dict[str, str]] = {"extra": "dsr-case-files"}

    class Meta:
        ordering = ["occurred_at", "pk"]
        indexes = [models.Index(fields=["case", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.kind} on {self.case_id}"


class Outcome(models.TextChoices):
    GRANTED = "granted", _("Granted")
    PARTIAL = "partial", _("Partially refused")
    REFUSED = "refused", pgettext_lazy("a rights request or decision", "Refused")


class Decision(models.Model):
    """A decision on one type of a case, with its legal grounds (R46, R49)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="decisions")
    request_type = models.CharField(max_length=20, choices=RequestType.choices)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    grounds = models.TextField(
        help_text="Category: data-subject request case files (reasons and legal grounds)."
    )
    decided_at = models.DateTimeField()
    decided_by = models.CharField(max_length=100)

    PERSONAL_DATA: ClassVar[dict[str, str]] = {"grounds": "dsr-case-files"}

    def __str__(self) -> str:
        return f"{self.request_type}: {self.outcome}"


class Letter(models.Model):
    """A letter sent about a case: which template, which outbox message (R46: the
    documents sent)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="letters")
    template = models.CharField(max_length=60)
    message_id = models.UUIDField(help_text="The outbox message (mail.Message) carrying it.")
    to_kind = models.CharField(max_length=16)
    language = models.CharField(max_length=8)
    queued_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_reason = models.CharField(max_length=200, blank=True, default="")

    PERSONAL_DATA: ClassVar[dict[str, str]] = {
        "template": "dsr-case-files",
        "sent_at": "dsr-case-files",
    }

    class Meta:
        ordering = ["queued_at", "pk"]

    def __str__(self) -> str:
        return f"{self.template} for {self.case_id}"


class Challenge(models.Model):
    """An identity challenge: a confirmation link sent to the address on file (R48).
    The link carries the challenge's id signed with the secret key (``rights.links``):
    nothing secret is stored, here or in the outbox; it is good once, until it expires."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="challenges")
    sent_to_person = models.ForeignKey(
        Person,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Category: data-subject request case files (whose on-file address got it).",
    )
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)

    PERSONAL_DATA: ClassVar[dict[str, str]] = {"sent_to_person": "dsr-case-files"}

    def __str__(self) -> str:
        return f"challenge for {self.case_id}"


class Alert(models.Model):
    """A D-7 / D-2 / overdue alert already given for a due date (R47): once each."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=8)
    due_date = models.DateField()
    sent_at = models.DateTimeField()

    PERSONAL_DATA: ClassVar[dict[str, str]] = {}

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind", "due_date"], name="rights_alert_once_per_due_date"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} alert for {self.case_id}"


class CaseCounter(models.Model):
    """The last case number given in a year: ``DDP-2025-0001`` and on, without gaps."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    PERSONAL_DATA: ClassVar[dict[str, str]] = {}

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class IdentityDocument(models.Model):
    """A copy of an identity document (R48): the last resort, chosen by the privacy lead
    with a reason, or sent unasked by the requester; both are kept the same way.

    The file and its name are sealed (R30) with the rights key, bound to this row; only
    the privacy lead opens it. Seven days after the identity is verified (or after the
    case closes, when the document was not used) the file goes: the row keeps only the
    metadata (when it came, its type and size, when and by whom identity was verified),
    so the case still says how identity was established (R12: ``dsr-identity-documents``).
    A row asked for and not received yet has no file.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="identity_documents")
    asked = models.BooleanField(
        default=False, help_text="Whether the privacy lead asked for it (else sent unasked)."
    )
    reason = models.TextField(
        blank=True,
        default="",
        help_text="Category: requesters' proof of identity (the privacy lead's reason for asking).",
    )
    requested_at = models.DateTimeField(null=True, blank=True)
    requested_by = models.CharField(max_length=100, blank=True, default="")
    content_sealed = models.BinaryField(
        null=True,
        help_text="Category: requesters' proof of identity (the file, sealed; emptied "
        "7 days after verification).",
    )
    file_name_sealed = models.BinaryField(
        null=True,
        help_text="Category: requesters' proof of identity (the file's name, sealed).",
    )
    content_type = models.CharField(max_length=40, blank=True, default="")
    size = models.PositiveIntegerField(default=0)
    uploaded_at = models.DateTimeField(null=True, blank=True)
    uploaded_by = models.CharField(max_length=100, blank=True, default="")
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.CharField(max_length=100, blank=True, default="")
    delete_after = models.DateField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    PERSONAL_DATA: ClassVar[dict[str, str]] = {
        "reason": "dsr-identity-documents",
        "content_sealed": "dsr-identity-documents",
        "file_name_sealed": "dsr-identity-documents",
    }

    class Meta:
        ordering = ["requested_at", "uploaded_at", "pk"]
        indexes = [models.Index(fields=["delete_after"])]

    def __str__(self) -> str:
        return f"identity document for {self.case_id}"

    @property
    def received(self) -> bool:
        return self.uploaded_at is not None

    @property
    def stored(self) -> bool:
        """Whether the file is still held (received and not deleted yet)."""
        return self.uploaded_at is not None and self.deleted_at is None


class CaseScan(models.Model):
    """The scan of a request received by post (R46, R78: « dated on receipt »).

    The file is sealed with the rights domain's key, bound to this row; only the people
    who handle requests may open it, and each opening is journaled (R29). It goes with
    the case at the end of the case's retention.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="scans")
    file_name = models.CharField(
        max_length=200,
        help_text="Category: data-subject request case files (the scan's file name).",
    )
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    content_sealed = models.BinaryField(
        help_text="Category: data-subject request case files (the letter as received, sealed)."
    )
    #: The day the letter reached the company, printed on the scan's record (« daté à
    #: réception »): the case's date of receipt when it was recorded.
    received_at = models.DateTimeField()
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.CharField(max_length=100, blank=True, help_text="actor kind:id")

    PERSONAL_DATA: ClassVar[dict[str, str]] = {
        "file_name": "dsr-case-files",
        "content_sealed": "dsr-case-files",
    }

    class Meta:
        ordering = ["recorded_at", "pk"]

    def __str__(self) -> str:
        return f"scan of {self.case_id}"


# The personal space's own records live in their own module (this one is long enough);
# imported here so that Django finds them with the app's models.
from vigie.rights.space_models import ContactChange, PostMortemDirective  # noqa: E402, F401


class NoticeTrigger(models.TextChoices):
    """What a recipient must be told of (Art. 19)."""

    RECTIFICATION = "rectification", _("Rectification")
    ERASURE = "erasure", _("Erasure")
    RESTRICTION = "restriction", _("Restriction of processing")


class NoticeStatus(models.TextChoices):
    OPEN = "open", _("To do")
    SENT = "sent", _("Sent by e-mail")
    DONE = "done", _("Done by hand")
    IMPOSSIBLE = "impossible", _("Impossible or disproportionate")


#: Statuses that end a notice task: the case may close once every task has one.
NOTICE_ENDED = frozenset({NoticeStatus.SENT, NoticeStatus.DONE, NoticeStatus.IMPOSSIBLE})


class RecipientNotice(models.Model):
    """An Art. 19 notice task (R57): tell one recipient of the disclosure log (R22) that
    data it received was rectified, erased or restricted. Tracked until done; the case
    cannot close while one is open; « impossible/disproportionate » needs a reason."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notices")
    recipient = models.ForeignKey("register.Recipient", on_delete=models.PROTECT, related_name="+")
    trigger = models.CharField(max_length=16, choices=NoticeTrigger.choices)
    #: Register data-category keys the recipient received and the change affects.
    categories = models.JSONField(default=list)
    status = models.CharField(
        max_length=16, choices=NoticeStatus.choices, default=NoticeStatus.OPEN
    )
    #: How it was done, or why it is impossible or disproportionate (required then).
    note = models.TextField(
        blank=True, help_text="Category: data-subject request case files (how or why not)."
    )
    created_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.CharField(max_length=100, blank=True)
    #: The outbox message (mail.Message) when the notice went by e-mail.
    message_id = models.UUIDField(null=True, blank=True)

    PERSONAL_DATA: ClassVar[dict[str, str]] = {"note": "dsr-case-files"}

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            # Opening the notices again (a retried step) adds none.
            models.UniqueConstraint(
                fields=["case", "recipient", "trigger"], name="rights_notice_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.trigger} notice to {self.recipient_id} for {self.case_id}"

    @property
    def is_open(self) -> bool:
        return self.status not in NOTICE_ENDED


# The access package (issue 14, R51): its own module too.
from vigie.rights.access_models import AccessPackage  # noqa: E402, F401
from vigie.rights.erasure_models import DeathNotice, ErasurePlan, ErasureStatus  # noqa: E402, F401
from vigie.rights.portability_models import PortabilityExport, TransferLink  # noqa: E402, F401

# Rectification (Art. 16) records, in their own module like the personal space's.
from vigie.rights.rectification_models import Rectification, RectificationTask  # noqa: E402, F401
