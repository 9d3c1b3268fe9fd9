"""Data subjects, with every personal field sealed under the person's own key (R30).

Only ciphertext and a keyed blind index are stored here; the data keys are in the
separate key store (``PersonKey``, database ``keys``).
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vigie.lib.legal_calendar import is_late


class SubjectType(models.TextChoices):
    """C5 of the requirements; one person may have several."""

    CLIENT_CONTACT_B2B = "client_contact_B2B", _("Business client contact")
    CLIENT_INDIVIDUAL_B2C = "client_individual_B2C", _("Individual client")
    SUPPLIER_CONTACT = "supplier_contact", _("Supplier contact")
    SUBCONTRACTOR_CONTACT = "subcontractor_contact", _("Subcontractor contact")
    PROSPECT_B2B = "prospect_B2B", _("Business prospect")
    PROSPECT_B2C = "prospect_B2C", _("Individual prospect")
    NEWSLETTER_SUBSCRIBER = "newsletter_subscriber", _("Newsletter subscriber")
    PARTNER_SOURCED_CONTACT = "partner_sourced_contact", _("Contact from a partner")
    CLIENT_END_USER = "client_end_user", _("Client's end user (processor data)")


B2C_TYPES = frozenset({SubjectType.CLIENT_INDIVIDUAL_B2C, SubjectType.PROSPECT_B2C})


class Source(models.TextChoices):
    """R8: where a record comes from."""

    SUBJECT = "subject", _("The person")
    CLIENT = "client", _("A client")
    PARTNER = "partner", _("A partner")
    PUBLIC_SOURCE = "public_source", _("A public source")
    ENRICHMENT = "enrichment", _("An enrichment job")


class OrganisationKind(models.TextChoices):
    CLIENT_COMPANY = "client_company", _("Client company")
    INDIVIDUAL_CLIENT = "individual_client", _("Individual client")
    SUPPLIER = "supplier", _("Supplier")
    SUBCONTRACTOR = "subcontractor", _("Subcontractor")
    PARTNER = "partner", _("Partner")
    #: A company met through a partner file or a public source, not a client yet.
    PROSPECT = "prospect", _("Prospect company")


class Organisation(models.Model):
    """A company the controller deals with. Its name is not personal data (an individual
    client's is: record them as a Person instead of naming the organisation)."""

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=32, choices=OrganisationKind.choices)
    siren = models.CharField(max_length=9, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Breach, client and processor notices go here (mail: ``To.of(organisation)``).
    # Often a role mailbox, but it may name someone: sealed like a person's fields.
    contact_email_sealed = models.BinaryField(
        null=True,
        help_text="Category: identity and contact (the organisation's contact e-mail "
        "address for notices, sealed).",
    )

    # The name is not personal data; the contact address may name someone.
    PERSONAL_DATA: ClassVar[dict[str, str]] = {"contact_email_sealed": "identity-contact"}

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="people"
    )
    subject_types = models.JSONField(
        default=list, help_text="Category: relationship (C5 subject types)."
    )
    # R8 provenance: source, date, and for partner data the proof of permission.
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.SUBJECT)
    source_name = models.CharField(
        max_length=200, blank=True, help_text="Category: provenance (partner or job name)."
    )
    collected_at = models.DateTimeField(help_text="Category: provenance.")
    partner_permission_ref = models.CharField(
        max_length=200,
        blank=True,
        help_text="Category: provenance (proof of the partner's permission).",
    )
    # R9: indirectly obtained data (Art. 14): notice due within one month, a date
    # ending 23:59:59 Paris time (C2), and no marketing until the mail server has
    # accepted it (``sent_at``: delivered, not merely queued; see people.notices).
    art14_notice_due_at = models.DateField(null=True, blank=True)
    art14_notice_sent_at = models.DateTimeField(null=True, blank=True)
    # R36: B2B opt-out prospecting only if informed at collection and job-relevant.
    informed_of_opt_out_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Category: marketing options (informed of the right to object).",
    )
    email_index = models.CharField(
        max_length=64,
        blank=True,
        db_index=True,
        help_text="Category: identity and contact (blind index: keyed HMAC of the address).",
    )
    email_sealed = models.BinaryField(
        null=True, help_text="Category: identity and contact (e-mail address, sealed)."
    )
    first_name_sealed = models.BinaryField(
        null=True, help_text="Category: identity and contact (first name, sealed)."
    )
    last_name_sealed = models.BinaryField(
        null=True, help_text="Category: identity and contact (last name, sealed)."
    )
    phone_sealed = models.BinaryField(
        null=True, help_text="Category: identity and contact (phone, sealed)."
    )
    job_title_sealed = models.BinaryField(
        null=True, help_text="Category: identity and contact (job title, sealed)."
    )
    # Which external sources (helpdesk, billing…) are known to hold records of this
    # person, by label: shown in the people list so they can be found there. Set by
    # whatever learns it (the demo when it seeds its sources, a future matching job).
    also_in_sources = models.JSONField(
        default=list,
        blank=True,
        help_text="Category: provenance (labels of external sources holding the person).",
    )
    shredded_at = models.DateTimeField(null=True, blank=True)

    # Register data category of each personal-data field (the inventory check, R4,
    # and Vigie's own source read it); the help_text says the same to a person.
    PERSONAL_DATA: ClassVar[dict[str, str]] = {
        "organisation": "identity-contact",
        "subject_types": "identity-contact",
        "email_index": "identity-contact",
        "email_sealed": "identity-contact",
        "first_name_sealed": "identity-contact",
        "last_name_sealed": "identity-contact",
        "phone_sealed": "identity-contact",
        "job_title_sealed": "identity-contact",
        "also_in_sources": "identity-contact",
        "source": "partner-sourced-data",
        "source_name": "partner-sourced-data",
        "collected_at": "partner-sourced-data",
        "partner_permission_ref": "partner-sourced-data",
        "art14_notice_due_at": "policy-notice-log",
        "art14_notice_sent_at": "policy-notice-log",
        "informed_of_opt_out_at": "site-preferences",
    }

    SEALED_FIELDS = ("email", "first_name", "last_name", "phone", "job_title")

    def __str__(self) -> str:
        return f"person {self.id}"

    @property
    def is_b2c(self) -> bool:
        return bool(set(self.subject_types) & B2C_TYPES)

    @property
    def art14_notice_pending(self) -> bool:
        return self.art14_notice_due_at is not None and self.art14_notice_sent_at is None

    @property
    def art14_notice_overdue(self) -> bool:
        """R9: not delivered by the end of its due date (the rule of
        ``tasks.overdue_notices``)."""
        due = self.art14_notice_due_at
        return self.art14_notice_pending and due is not None and is_late(due, timezone.now())


class PersonKey(models.Model):
    """A person's data key, wrapped by a master key. Stored in the ``keys`` database."""

    person_id = models.UUIDField(primary_key=True)
    wrapped = models.BinaryField()
    master_key_id = models.CharField(max_length=16, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # No personal data: the inventory check (R4) knows this model was looked at.
    PERSONAL_DATA: ClassVar[dict[str, str]] = {}

    def __str__(self) -> str:
        return f"key of person {self.person_id}"


class ContactKind(models.TextChoices):
    EMAIL = "email", _("E-mail address")
    PHONE = "phone", _("Telephone")
    POSTAL = "postal", _("Postal address")


class ContactUsage(models.TextChoices):
    WORK = "work", _("Work")
    PERSONAL = "personal", _("Personal")


class ContactPoint(models.Model):
    """A further way to reach a person (another e-mail, a phone, a postal address).

    Sealed under the person's data key like the person's own fields, so that
    shredding the key makes these unreadable too (R30). A further e-mail address
    has its blind index: the person is found, and suppressed, by it as well.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="contact_points")
    kind = models.CharField(max_length=8, choices=ContactKind.choices)
    usage = models.CharField(max_length=8, choices=ContactUsage.choices, default=ContactUsage.WORK)
    value_sealed = models.BinaryField(
        null=True, help_text="Category: identity and contact (contact point, sealed)."
    )
    email_index = models.CharField(
        max_length=64,
        blank=True,
        db_index=True,
        help_text="Category: identity and contact (blind index of a further e-mail address).",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # Register data category of each personal-data field (the inventory check, R4,
    # and Vigie's own source read it); the help_text says the same to a person.
    PERSONAL_DATA: ClassVar[dict[str, str]] = {
        "person": "identity-contact",
        "kind": "identity-contact",
        "usage": "identity-contact",
        "value_sealed": "identity-contact",
        "email_index": "identity-contact",
    }

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.kind} of person {self.person_id}"


class NameWord(models.Model):
    """One word of a person's name as a keyed blind index, to find people by name.

    The names stay sealed: only ``HMAC(index key, "name:" + word)`` is stored, for
    each lower-cased, accent-free word of the first and last names. The prefix keeps
    these hashes apart from the e-mail blind index, so the two cannot be joined.
    Crypto-shredding deletes the rows: they would still single the person out.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="name_words")
    word_index = models.CharField(
        max_length=64,
        db_index=True,
        help_text="Category: identity and contact (blind index of one word of the name).",
    )

    PERSONAL_DATA: ClassVar[dict[str, str]] = {
        "person": "identity-contact",
        "word_index": "identity-contact",
    }

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "word_index"], name="one_name_word_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"name word of person {self.person_id}"


class AddressLookup(models.Model):
    """A look-up by address handed from a public page to a background job.

    A public form must not look the address up itself (its answer or its timing would
    tell who is on file), and a job's arguments stay in the job table after it has
    run. So the page stores the address's blind index here and gives the job only this
    row's random id; the job deletes the row when it has looked, crypto-shredding
    deletes the rows of the person's addresses, and the daily purge those older than a
    day (a worker that was down). Once the row is gone, the job's arguments point at
    nothing.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email_index = models.CharField(
        max_length=64,
        db_index=True,
        help_text="Category: preferences and communication options (blind index of the "
        "address a link was asked for).",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # A sign-up handed to its job: the address and first name the job records, sealed
    # under a key derived for this purpose only (``people.lookups``).
    payload_sealed = models.BinaryField(
        null=True,
        help_text="Category: identity and contact (sealed address and first name of a "
        "public sign-up waiting for its job).",
    )

    PERSONAL_DATA: ClassVar[dict[str, str]] = {
        "email_index": "site-preferences",
        "payload_sealed": "identity-contact",
    }

    def __str__(self) -> str:
        return f"address look-up of {self.created_at:%Y-%m-%d %H:%M}"


class RestrictionReason(models.TextChoices):
    """Why processing is restricted (Art. 18(1)(a)–(d))."""

    ACCURACY_CONTESTED = "accuracy_contested", _("Accuracy contested, being checked")
    UNLAWFUL = "unlawful", _("Unlawful processing, the person wants the data kept")
    LEGAL_CLAIMS = "legal_claims", _("Needed by the person for legal claims")
    OBJECTION_PENDING = "objection_pending", _("Objection being weighed")


class Restriction(models.Model):
    """A restriction of processing (Art. 18, R55) on a person, or on some of their data
    categories (``categories``; empty: everything held on the person).

    While ``lifted_at`` is empty the data is only stored: the audience checks, the
    marketing gate, segments, exports and disclosures leave it out, and the people
    services refuse edits. Lifting needs the notice to the person first (Art. 18(3)):
    ``notice_sent_at`` is set when the lifting letter is queued.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="restrictions")
    categories = models.JSONField(
        default=list, blank=True, help_text="Register data categories restricted (empty: all)."
    )
    reason = models.CharField(max_length=32, choices=RestrictionReason.choices)
    # The case that asked for it (rights sits above people: a reference, not a key).
    case_id = models.UUIDField(null=True, blank=True)
    case_number = models.CharField(max_length=20, blank=True)
    set_at = models.DateTimeField()
    set_by = models.CharField(max_length=200)
    notice_sent_at = models.DateTimeField(null=True, blank=True)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.CharField(max_length=200, blank=True)

    # What the restriction covers is about the person's data, not the data itself;
    # it is kept with the person (the DSR case file category).
    PERSONAL_DATA: ClassVar[dict[str, str]] = {"categories": "dsr-case-files"}

    class Meta:
        ordering = ["-set_at"]
        indexes = [models.Index(fields=["person", "lifted_at"])]

    def __str__(self) -> str:
        return f"restriction {self.case_number or self.pk}"

    @property
    def active(self) -> bool:
        return self.lifted_at is None


class BlockStatus(models.TextChoices):
    BLOCKED = "blocked", _("Processing stopped")
    OVERRIDDEN = "overridden", _("Compelling grounds recorded: processing goes on")


class ProcessingBlock(models.Model):
    """An objection (Art. 21, R56, R42) stopping one purpose for one person, the day
    it is recorded.

    ``purpose`` is a register purpose (``activity-key/index``, based on legitimate
    interest) or a marketing purpose (``newsletter``, ``offres``…). ``marketing`` names
    the marketing purpose the audience checks refuse for the person while the block
    holds (empty: none). Only a legitimate-interest purpose may be overridden, by the privacy lead,
    with the grounds written down; a marketing block never is.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="blocks")
    purpose = models.CharField(max_length=100)
    label_fr = models.CharField(max_length=500)
    label_en = models.CharField(max_length=500)
    marketing = models.CharField(max_length=32, blank=True)
    case_id = models.UUIDField(null=True, blank=True)
    case_number = models.CharField(max_length=20, blank=True)
    blocked_at = models.DateTimeField()
    blocked_by = models.CharField(max_length=200)
    status = models.CharField(max_length=16, choices=BlockStatus.choices)
    grounds = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.CharField(max_length=200, blank=True)

    # The person's objection is a fact about them, kept with their case file.
    PERSONAL_DATA: ClassVar[dict[str, str]] = {"purpose": "dsr-case-files"}

    class Meta:
        ordering = ["blocked_at"]
        constraints = [
            models.UniqueConstraint(fields=["person", "purpose"], name="one_block_per_purpose")
        ]

    def __str__(self) -> str:
        return f"block {self.purpose}"

    def label(self, lang: str = "fr") -> str:
        return self.label_en if lang == "en" else self.label_fr
