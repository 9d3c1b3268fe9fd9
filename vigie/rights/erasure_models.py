"""The erasure plan of a case (R53) and the death notices of R59 (models).

Imported by ``vigie.rights.models`` so that Django sees them."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from vigie.people.models import Person


class ErasureStatus(models.TextChoices):
    PROPOSED = "proposed", "proposed"
    #: A current client must confirm that the service will stop (the erasure waits).
    AWAITING_CLIENT = "awaiting_client", "awaiting client"
    CONFIRMED = "confirmed", "confirmed"
    #: A source failed half-way: the run can be started again (every step idempotent).
    FAILED = "failed", "failed"
    DONE = "done", "done"


class ErasurePlan(models.Model):
    """What an erasure case erases and keeps, per register category (R53, Art. 17(3)).

    ``proposed`` is what Vigie proposed from the person's rows; ``choices`` what the
    privacy lead chose (a choice per category: erase, or keep on one Art. 17(3) ground
    until a date); ``basis`` the event each end date counts from (a date of the
    person's rows: the last invoice, the end of the contract)."""

    case = models.OneToOneField(
        "rights.Case",
        on_delete=models.CASCADE,
        related_name="erasure",
        help_text="Category: data-subject request case files (the case).",
    )
    status = models.CharField(
        max_length=20, choices=ErasureStatus.choices, default=ErasureStatus.PROPOSED
    )
    #: {category: {"choice": "erase"|"keep", "ground": key, "until": "YYYY-MM-DD"}}
    proposed = models.JSONField(default=dict)
    choices = models.JSONField(default=dict)
    #: {category: {"event": {fr, en}, "date": "YYYY-MM-DD", "open": n}}
    basis = models.JSONField(
        default=dict,
        help_text="Category: data-subject request case files (dates the plan counts from).",
    )
    #: The Art. 17(1) grounds the person invokes (keys of ART17_1).
    invoked = models.JSONField(default=list)
    current_client = models.BooleanField(default=False)
    client_confirmed_at = models.DateTimeField(null=True, blank=True)
    client_confirmed_by = models.CharField(max_length=100, blank=True, default="")
    client_confirmation = models.TextField(
        blank=True,
        default="",
        help_text="Category: data-subject request case files (how the client confirmed).",
    )
    created_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.CharField(max_length=100, blank=True, default="")
    runs = models.PositiveIntegerField(default=0)
    failed = models.CharField(max_length=200, blank=True, default="")
    done_at = models.DateTimeField(null=True, blank=True)
    #: What was done: categories erased, and kept {category: [ground, until]}.
    erased = models.JSONField(default=list)
    kept = models.JSONField(default=dict)
    #: Rows per source and table (counts, never values).
    counts = models.JSONField(default=dict)

    PERSONAL_DATA: ClassVar[dict[str, str]] = {
        "case": "dsr-case-files",
        "basis": "dsr-case-files",
        "client_confirmation": "dsr-case-files",
    }

    def __str__(self) -> str:
        return f"erasure plan of {self.case_id}"


class DeathNotice(models.Model):
    """A person's death notified with proof (R59): the proof sealed, what was done."""

    person = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="Category: data-subject request case files (whose death).",
    )
    died_on = models.DateField(
        help_text="Category: data-subject request case files (date of death)."
    )
    proof_sealed = models.BinaryField(
        help_text="Category: data-subject request case files (the proof, sealed)."
    )
    proof_name = models.CharField(max_length=200, blank=True, default="")
    notified_by_sealed = models.BinaryField(
        help_text="Category: data-subject request case files (who notified, sealed)."
    )
    recorded_at = models.DateTimeField()
    recorded_by = models.CharField(max_length=100)
    #: What the directive said: ``erase`` (a case opened), ``none`` (heirs' rights).
    outcome = models.CharField(max_length=20)
    case = models.ForeignKey(
        "rights.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    PERSONAL_DATA: ClassVar[dict[str, str]] = {
        "person": "dsr-case-files",
        "died_on": "dsr-case-files",
        "proof_sealed": "dsr-case-files",
        "proof_name": "dsr-case-files",
        "notified_by_sealed": "dsr-case-files",
    }

    def __str__(self) -> str:
        return f"death notice of {self.person_id}"
