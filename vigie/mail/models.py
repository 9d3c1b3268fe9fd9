"""The outbox: one row per e-mail to one recipient, delivered by a task (R37, R38, R44).

A message goes to a person, an organisation's contact mailbox, or a register
recipient's privacy contact (breach, client, Art. 19 and processor notices). A row
never holds an address, a name or a rendered body in clear: it points at the
recipient, and the address is opened at send time through the resolver the owning
domain registered (R30, ``mail.addressing``). So crypto-shredding a person also
makes their queued mail undeliverable, and the outbox is no copy of the contact list.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vigie.lib.purposes import Purpose
from vigie.mail.addressing import ORGANISATION, PERSON, RECIPIENT, REQUESTER, STAFF, To


class Kind(models.TextChoices):
    """R44: service messages are never promotional and never blocked by unsubscribes."""

    SERVICE = "service", _("Service")
    MARKETING = "marketing", _("Marketing")


class Status(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    REFUSED = "refused", _("Refused")


#: In ``last_error`` of a message that may have been delivered (``mail.delivery``).
UNCERTAIN_MARK = "UNCERTAIN_DELIVERY"


class Message(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # An outbox row is transient: if the person row itself goes, so does their mail.
    # Exactly one of the three below names the recipient (see the constraint).
    person = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="mail_messages",
        help_text="Category: identity and contact (recipient reference only; the address "
        "is opened from the person's sealed fields at send time).",
    )
    organisation = models.ForeignKey(
        "people.Organisation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="mail_messages",
        help_text="Category: identity and contact (recipient reference only; the "
        "organisation's contact address is opened at send time).",
    )
    recipient_key = models.CharField(
        max_length=64,
        blank=True,
        help_text="Register key of a recipient whose privacy contact receives the message "
        "(a reference; the address is read from the register at send time).",
    )
    requester_case = models.CharField(
        max_length=64,
        blank=True,
        help_text="Category: data-subject request case files (the id of the rights case "
        "whose requester receives the message; the address is opened at send time).",
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="mail_messages",
        help_text="Category: staff accounts (recipient reference only; the account's "
        "address is read at send time).",
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    purpose = models.CharField(
        max_length=32,
        choices=Purpose.choices,
        blank=True,
        help_text="Category: marketing options (purpose of a marketing message).",
    )
    template = models.CharField(max_length=100)
    language = models.CharField(max_length=8, default="fr")
    context = models.JSONField(
        default=dict,
        blank=True,
        help_text="Ids and references only, never personal data: names are looked up "
        "at render time.",
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # Generated when the row is created, hence known and stored before any SMTP
    # traffic: it names the message in the mail server's logs when reconciling.
    message_id = models.CharField(max_length=255, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # When a worker claimed the row (status "sending").
    claimed_at = models.DateTimeField(null=True, blank=True)
    # Which worker process claimed it ("host:pid"): a worker on the same host that finds
    # that process gone reconciles the row at once instead of after the sending timeout.
    claimed_by = models.CharField(max_length=300, blank=True, default="")
    # When the content started to go to the SMTP server (just before DATA). Before
    # that moment the server cannot have accepted the message; after it, it may have.
    transfer_started_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(
        blank=True, help_text="Server reply or reason, with the recipient address removed."
    )

    # Register data category of each personal-data field (the inventory check, R4,
    # and Vigie's own source read it); the help_text says the same to a person.
    PERSONAL_DATA: ClassVar[dict[str, str]] = {
        "person": "identity-contact",
        "organisation": "identity-contact",
        "staff": "staff-accounts",
        "requester_case": "dsr-case-files",
        "purpose": "policy-notice-log",
        "kind": "policy-notice-log",
        "template": "policy-notice-log",
        "status": "policy-notice-log",
        "created_at": "policy-notice-log",
        "sent_at": "policy-notice-log",
    }

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        constraints = [
            models.CheckConstraint(
                # A marketing message always names its consent purpose; service mail never.
                condition=models.Q(kind="service", purpose="")
                | (models.Q(kind="marketing") & ~models.Q(purpose="")),
                name="mail_message_purpose_iff_marketing",
            ),
            models.CheckConstraint(
                # One recipient, and marketing only ever to a person (R34: consent is
                # a person's).
                condition=(
                    models.Q(
                        person__isnull=False,
                        organisation__isnull=True,
                        recipient_key="",
                        staff__isnull=True,
                        requester_case="",
                    )
                    | models.Q(
                        kind="service",
                        person__isnull=True,
                        organisation__isnull=False,
                        recipient_key="",
                        staff__isnull=True,
                        requester_case="",
                    )
                    | (
                        models.Q(
                            kind="service",
                            person__isnull=True,
                            organisation__isnull=True,
                            staff__isnull=True,
                            requester_case="",
                        )
                        & ~models.Q(recipient_key="")
                    )
                    | models.Q(
                        kind="service",
                        person__isnull=True,
                        organisation__isnull=True,
                        recipient_key="",
                        staff__isnull=False,
                        requester_case="",
                    )
                    | (
                        models.Q(
                            kind="service",
                            person__isnull=True,
                            organisation__isnull=True,
                            recipient_key="",
                            staff__isnull=True,
                        )
                        & ~models.Q(requester_case="")
                    )
                ),
                name="mail_message_one_recipient",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} message {self.id} ({self.status})"

    @property
    def to(self) -> To:
        if self.person_id is not None:
            return To(PERSON, str(self.person_id))
        if self.organisation_id is not None:
            return To(ORGANISATION, str(self.organisation_id))
        if self.staff_id is not None:
            return To(STAFF, str(self.staff_id))
        if self.requester_case:
            return To(REQUESTER, self.requester_case)
        return To(RECIPIENT, self.recipient_key)

    @property
    def is_marketing(self) -> bool:
        return self.kind == Kind.MARKETING

    @property
    def delivery_uncertain(self) -> bool:
        """Failed after its content went to the server: it may have been delivered, so
        it is sent again only once a person has checked the server's log."""
        return self.status == Status.FAILED and UNCERTAIN_MARK in self.last_error


# -- The privacy mailbox, read over IMAP (``mail.inbound``) --------------------------------


class InboundState(models.TextChoices):
    """Where a received message stands. ``new``: stored, not yet offered to the
    handlers (or a handler failed: offered again at the next poll)."""

    NEW = "new", _("Received, not yet processed")
    HANDLED = "handled", _("Processed automatically")
    TRIAGE = "triage", _("To sort")
    NOT_A_REQUEST = "not_a_request", _("Not a request")
    TRIAGED = "triaged", _("Sorted")


class InboundMessage(models.Model):
    """One message read from the privacy mailbox, stored once (R46, R78).

    ``(mailbox, uidvalidity, uid)`` names the message on the server for good (RFC 3501:
    a UID is never reused while the folder's UIDVALIDITY stays): the unique constraint
    makes a second reading of the same message store nothing. Everything that may name
    or describe a person (sender, subject, text, attachments) is sealed, bound to this
    row's id (``mail.inbound``)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # "user@host/folder": which mailbox; not personal (the company's own mailbox).
    mailbox = models.CharField(max_length=300)
    uidvalidity = models.BigIntegerField()
    uid = models.BigIntegerField()
    received_at = models.DateTimeField(
        help_text="Category: data-subject request case files (arrival in the mailbox, the "
        "server's INTERNALDATE: the date a request was received, R46)."
    )
    sent_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Category: data-subject request case files (the message's own Date header).",
    )
    stored_at = models.DateTimeField(auto_now_add=True)
    # Keyed hash of the Message-ID header: recognises a message already stored when the
    # server renumbers the folder (a new UIDVALIDITY).
    message_id_hash = models.CharField(max_length=64, blank=True, db_index=True)
    sender_sealed = models.BinaryField(
        null=True,
        help_text="Category: data-subject request case files (the sender's address, sealed).",
    )
    sender_index = models.CharField(
        max_length=64,
        blank=True,
        db_index=True,
        help_text="Category: data-subject request case files (blind index of the sender's "
        "address, to find a person's messages for an access or erasure request).",
    )
    subject_sealed = models.BinaryField(
        null=True, help_text="Category: data-subject request case files (subject, sealed)."
    )
    body_sealed = models.BinaryField(
        null=True, help_text="Category: data-subject request case files (text body, sealed)."
    )
    size = models.PositiveIntegerField(default=0)
    state = models.CharField(max_length=16, choices=InboundState.choices, default=InboundState.NEW)
    #: The label of the handler that consumed it (``consent:mailto-unsubscribe``).
    handled_by = models.CharField(max_length=100, blank=True)
    handled_at = models.DateTimeField(null=True, blank=True)
    #: Failed attempts of the handlers; after ``inbound.MAX_HANDLER_ATTEMPTS`` it goes to triage.
    handler_attempts = models.PositiveSmallIntegerField(default=0)
    # When the \Seen flag (and the $VigieStored keyword) was set on the server, always
    # after the row committed. Null: still to flag (a poll stopped in between).
    flagged_at = models.DateTimeField(null=True, blank=True)
    # When the sealed content was dropped (a message a handler consumed keeps only its
    # record: the handler's own domain keeps the proof, e.g. the consent ledger).
    content_dropped_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.CharField(
        max_length=200,
        blank=True,
        help_text="Category: staff accounts (who sorted it: the actor, as kind:id).",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(
        blank=True,
        help_text="Category: data-subject request case files (why it is not a request, or "
        "what it became: a case number).",
    )

    PERSONAL_DATA: ClassVar[dict[str, str]] = {
        "received_at": "dsr-case-files",
        "sent_at": "dsr-case-files",
        "sender_sealed": "dsr-case-files",
        "sender_index": "dsr-case-files",
        "subject_sealed": "dsr-case-files",
        "body_sealed": "dsr-case-files",
        "decision_note": "dsr-case-files",
        "decided_by": "staff-accounts",
    }

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["mailbox", "uidvalidity", "uid"], name="mail_inbound_read_once"
            )
        ]
        indexes = [models.Index(fields=["state", "received_at"])]

    def __str__(self) -> str:
        return f"inbound message {self.uidvalidity}/{self.uid} ({self.state})"


class InboundAttachment(models.Model):
    """A file attached to a received message: its name and content sealed."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    message = models.ForeignKey(
        InboundMessage, on_delete=models.CASCADE, related_name="attachments"
    )
    position = models.PositiveSmallIntegerField()
    name_sealed = models.BinaryField(
        help_text="Category: data-subject request case files (file name, sealed: it may "
        "name the person)."
    )
    content_type = models.CharField(max_length=200)
    size = models.PositiveIntegerField()
    content_sealed = models.BinaryField(
        help_text="Category: data-subject request case files (the file, sealed)."
    )

    PERSONAL_DATA: ClassVar[dict[str, str]] = {
        "name_sealed": "dsr-case-files",
        "content_sealed": "dsr-case-files",
    }

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["message", "position"], name="mail_attachment_position")
        ]


class MailboxPoll(models.Model):
    """The reading of one mailbox: who reads it now (one poll at a time), when it was
    last read, and the queued job that reads it next (``mail.inbound``)."""

    mailbox = models.CharField(max_length=300, unique=True)
    uidvalidity = models.BigIntegerField(null=True, blank=True)
    # The lease: the process reading the mailbox ("host:pid") and since when (renewed
    # after each message). A lease older than ``inbound.LEASE`` or held by a process
    # that no longer exists on this host is taken over.
    polling_by = models.CharField(max_length=300, blank=True)
    polling_since = models.DateTimeField(null=True, blank=True)
    last_poll_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    #: The kind of the last error ("" after a poll that worked), never its text.
    last_error = models.CharField(max_length=200, blank=True)
    next_poll_at = models.DateTimeField(null=True, blank=True)
    #: The queued job of the next poll (django-tasks result id).
    task_id = models.CharField(max_length=64, blank=True)

    PERSONAL_DATA: ClassVar[dict[str, str]] = {}

    def __str__(self) -> str:
        return f"poll of {self.mailbox}"
