"""Consent as proof (R34), the derived subscription state, and the suppression list (R41).

``ConsentEvent`` rows are append-only: every grant, double opt-in step, withdrawal
and objection is a new row, never an edit (Art. 7(1): the controller must be able
to demonstrate consent, and withdrawals are kept too). ``Subscription`` is the
current state derived from those events, written in the same transaction, so that
audience checks read one small table. ``SuppressionEntry`` keeps only a keyed hash
of an address that unsubscribed or objected: the list cannot be read as a list of
contacts and can never be used to send.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from vigie.audit.models import AppendOnlyModel
from vigie.lib.purposes import PURPOSE_OR_ALL, Purpose
from vigie.people.models import Person


class Kind(models.TextChoices):
    GRANT = "grant", _("Consent given")
    PENDING = "pending", _("Double opt-in started")
    CONFIRM = "confirm", _("Double opt-in confirmed")
    WITHDRAW = "withdraw", _("Consent withdrawn")
    OBJECT = "object", _("Objection to all marketing")
    SOFT_OPT_IN = "soft_opt_in", _("Soft opt-in (existing client, analogous products)")


class Method(models.TextChoices):
    """How the act reached the company (R34, R39, R40): a field of the proof, so that a
    withdrawal says whether it came from a mail client's one-click POST, the
    unsubscribe page, the preference centre, a mailto message or a staff member."""

    WEB_FORM = "web_form", _("Web form")
    ONE_CLICK = "one_click", _("One-click unsubscribe (RFC 8058)")
    UNSUBSCRIBE_PAGE = "unsubscribe_page", _("Unsubscribe link and button")
    PREFERENCE_CENTRE = "preference_centre", _("Preference centre")
    MAILTO = "mailto", _("E-mail to the unsubscribe address (mailto)")
    EMAIL = "email", _("E-mail to the privacy address")
    STAFF = "staff", _("Entered by staff")
    API = "api", _("API")
    PHONE = "phone", _("Phone")
    POST = "post", _("Postal mail")
    IMPORT = "import", _("Import")


class ConsentEvent(AppendOnlyModel):
    """One act of the person about marketing, with everything R34 asks to prove."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    # The blind index of the address the act was about, at that moment: proof of
    # which address consented even if the person's address changes later.
    email_index = models.CharField(
        max_length=64,
        blank=True,
        help_text="Category: identity and contact (blind index of the address concerned).",
    )
    purpose = models.CharField(max_length=32, choices=PURPOSE_OR_ALL)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    wording = models.TextField(
        blank=True, help_text="Category: marketing options (exact wording shown to the person)."
    )
    policy_version = models.PositiveIntegerField(
        null=True, blank=True, help_text="Privacy-policy version in force (R75)."
    )
    channel = models.CharField(
        max_length=500, blank=True, help_text="Category: marketing options (channel or form URL)."
    )
    occurred_at = models.DateTimeField(help_text="Category: marketing options (when).")
    ip = models.GenericIPAddressField(
        null=True, blank=True, help_text="Category: connection data (IP of an online act)."
    )
    method = models.CharField(max_length=32, choices=Method.choices)
    # "user:<id>", "api_key:<prefix>", "cli:<name>" or "subject" (the person).
    collector = models.CharField(max_length=80)
    proof_ref = models.CharField(
        max_length=200,
        blank=True,
        help_text="Category: marketing options (partner permission or call/letter reference).",
    )
    # A confirmation points at the pending event it confirms and carries its time.
    confirms = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(
        null=True, blank=True, help_text="Category: marketing options (double opt-in click)."
    )

    # Register data category of each personal-data field (the inventory check, R4,
    # and Vigie's own source read it); the help_text says the same to a person.
    PERSONAL_DATA: ClassVar[dict[str, str]] = {
        "person": "consent-proofs",
        "email_index": "consent-proofs",
        "purpose": "consent-proofs",
        "kind": "consent-proofs",
        "wording": "consent-proofs",
        "policy_version": "consent-proofs",
        "channel": "consent-proofs",
        "occurred_at": "consent-proofs",
        "ip": "consent-proofs",
        "method": "consent-proofs",
        "proof_ref": "consent-proofs",
        "confirmed_at": "consent-proofs",
    }

    class Meta:
        indexes = [models.Index(fields=["person", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.purpose} of person {self.person_id}"


class Status(models.TextChoices):
    SUBSCRIBED = "subscribed", _("Subscribed")
    PENDING = "pending", _("Awaiting confirmation")
    WITHDRAWN = "withdrawn", _("Unsubscribed")
    OBJECTED = "objected", _("Objected to all marketing")
    #: A double opt-in left unconfirmed past its 7 days, with no state before it (R43).
    EXPIRED = "expired", _("Confirmation expired")


class Subscription(models.Model):
    """The current state of one person for one purpose, derived from the events."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="subscriptions")
    purpose = models.CharField(max_length=32, choices=Purpose.choices)
    status = models.CharField(
        max_length=16, choices=Status.choices, help_text="Category: marketing options."
    )
    # Only an existing client may hold it, and only for the company's own offers (R35).
    soft_opt_in = models.BooleanField(default=False, help_text="Category: marketing options.")
    since = models.DateTimeField(help_text="Category: marketing options (since when).")
    pending_expires_at = models.DateTimeField(
        null=True, blank=True, help_text="Category: marketing options (confirmation due before)."
    )
    # What the state was before a double opt-in started: it holds again once the
    # request expires unconfirmed (R43: 7 days).
    status_before_pending = models.CharField(
        max_length=16, blank=True, help_text="Category: marketing options."
    )
    last_event = models.ForeignKey(
        ConsentEvent, on_delete=models.PROTECT, related_name="+", null=True
    )

    # Register data category of each personal-data field (the inventory check, R4,
    # and Vigie's own source read it); the help_text says the same to a person.
    PERSONAL_DATA: ClassVar[dict[str, str]] = {
        "person": "newsletter-subscription",
        "purpose": "newsletter-subscription",
        "status": "newsletter-subscription",
        "soft_opt_in": "newsletter-subscription",
        "since": "newsletter-subscription",
        "pending_expires_at": "newsletter-subscription",
        "status_before_pending": "newsletter-subscription",
    }

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "purpose"], name="one_subscription_per_purpose"
            )
        ]

    def __str__(self) -> str:
        return f"{self.purpose}: {self.status} (person {self.person_id})"

    def lapsed(self, now: datetime) -> bool:
        """R43: a double opt-in left unconfirmed past its deadline; the state before it
        holds again (the audience check reads the same rule in SQL). The daily job
        (``consent.expiry``) then writes that state, keeping ``pending_expires_at`` as
        the mark of the expired request until the next act."""
        expires = self.pending_expires_at
        if self.status != Status.PENDING:
            return expires is not None
        return expires is not None and expires <= now

    def effective_status(self, now: datetime) -> str:
        if self.status == Status.PENDING and self.lapsed(now):
            return self.status_before_pending
        return self.status


class SuppressionReason(models.TextChoices):
    UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
    OBJECTED = "objected", _("Objected")


class SuppressionEntry(models.Model):
    """A keyed hash of a normalised address that must receive no marketing (R41).

    Never the address: the hash is ``blind_index(index_key, "suppress:" + address)``,
    distinct from the people blind index so the two cannot be joined.
    """

    address_hash = models.CharField(max_length=64)
    # One purpose, or ALL_PURPOSES after an objection.
    scope = models.CharField(max_length=32, choices=PURPOSE_OR_ALL)
    reason = models.CharField(max_length=16, choices=SuppressionReason.choices)
    created_at = models.DateTimeField()
    # R43: the person subscribed again by a new act (a confirmed double opt-in). The
    # entry stays, marked lifted, with the confirmation that lifted it; a later
    # withdrawal adds a new active entry.
    lifted_at = models.DateTimeField(
        null=True, blank=True, help_text="Category: marketing options (suppression lifted)."
    )
    lifted_by = models.ForeignKey(
        ConsentEvent,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Category: marketing options (the confirmation that lifted it).",
    )

    # Register data category of each personal-data field (the inventory check, R4,
    # and Vigie's own source read it); the help_text says the same to a person.
    PERSONAL_DATA: ClassVar[dict[str, str]] = {
        "address_hash": "suppression-hashes",
        "scope": "suppression-hashes",
        "reason": "suppression-hashes",
        "created_at": "suppression-hashes",
        "lifted_at": "suppression-hashes",
        "lifted_by": "suppression-hashes",
    }

    class Meta:
        constraints = [
            # One active entry per address and scope; lifted ones are history.
            models.UniqueConstraint(
                fields=["address_hash", "scope"],
                condition=models.Q(lifted_at__isnull=True),
                name="one_active_suppression_per_scope",
            )
        ]
        indexes = [models.Index(fields=["address_hash"], name="suppression_hash_idx")]
        verbose_name_plural = "suppression entries"

    def __str__(self) -> str:
        return f"suppressed ({self.scope})" + (" lifted" if self.lifted_at else "")

    @property
    def active(self) -> bool:
        return self.lifted_at is None


class Segment(models.Model):
    """A targeting list (« segment ») for marketing of one purpose.

    Art. 21(2)-(3), R42: a global objection removes the person from every segment
    (see ``consent.segments``), and a person who objected can never be added again.
    """

    name = models.CharField(max_length=120, unique=True)
    purpose = models.CharField(max_length=32, choices=Purpose.choices)
    description = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(max_length=150)

    # No personal data: the inventory check (R4) knows this model was looked at.
    PERSONAL_DATA: ClassVar[dict[str, str]] = {}

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SegmentMember(models.Model):
    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        related_name="segments",
        help_text="Category: marketing options (targeting).",
    )
    added_at = models.DateTimeField(auto_now_add=True)

    # Register data category of each personal-data field (the inventory check, R4,
    # and Vigie's own source read it); the help_text says the same to a person.
    PERSONAL_DATA: ClassVar[dict[str, str]] = {
        "person": "site-preferences",
        "segment": "site-preferences",
        "added_at": "site-preferences",
    }

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["segment", "person"], name="one_membership_per_segment")
        ]

    def __str__(self) -> str:
        return f"{self.segment_id}: {self.person_id}"


class ImportJob(models.Model):
    """A CSV import handed to the worker from the back-office page (the CLI imports at
    once). The file is kept sealed until the job ends, then deleted; the job resumes
    from ``lines_done`` when it is run again (a worker killed half-way), each line and
    its progress committed together, so the final report counts each line once."""

    class State(models.TextChoices):
        WAITING = "waiting", _("Waiting for the worker")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    actor_type = models.CharField(max_length=16)
    actor_id = models.CharField(max_length=64, blank=True)
    actor_ip = models.GenericIPAddressField(null=True, blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    file_sealed = models.BinaryField(null=True, blank=True)
    wording = models.TextField(blank=True)
    channel = models.CharField(max_length=500, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.WAITING)
    #: Valid lines to store (the file's lines less those refused when read).
    lines_total = models.PositiveIntegerField(default=0)
    lines_done = models.PositiveIntegerField(default=0)
    #: Counts and errors of the lines done; the whole report once done (no address).
    report = models.JSONField(default=dict)
    finished_at = models.DateTimeField(null=True, blank=True)

    PERSONAL_DATA: ClassVar[dict[str, str]] = {
        "actor_id": "staff-accounts",
        "actor_ip": "security-logs",
        "file_name": "partner-sourced-data",
        "file_sealed": "partner-sourced-data",
        "wording": "consent-proofs",
        "channel": "consent-proofs",
        "report": "partner-sourced-data",
    }

    class Meta:
        ordering = ["-created_at"]
