"""Registered sources and the archive index of rows kept after an erasure (R4, R13, Art. 17(3)).

The archive index is the proof of what an erasure did not erase, and why: each kept
row with its legal ground and end date. It is written by ``erase`` and shrinks only
by the retention purge of the row it describes.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone


class Source(models.Model):
    """An external database described by a manifest (the URL itself is never stored)."""

    name = models.SlugField(max_length=64, unique=True)
    manifest = models.TextField(help_text="The manifest YAML (no personal data, no password).")
    enabled = models.BooleanField(default=True)
    added_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    last_check_at = models.DateTimeField(null=True, blank=True)
    last_check = models.JSONField(
        default=dict, blank=True, help_text="Result of the last inventory check (R4): problems."
    )

    # No personal data: the inventory check (R4) knows this model was looked at.
    PERSONAL_DATA: ClassVar[dict[str, str]] = {}

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ArchivedRecord(models.Model):
    """One row of a source kept on a legal ground after an erasure (Art. 17(3), R53)."""

    source = models.CharField(max_length=64)
    table = models.CharField(max_length=128)
    row_key = models.CharField(
        max_length=255,
        help_text="Category: that of the kept row (its primary key points to a person's data).",
    )
    category = models.CharField(max_length=64, help_text="Register data category kept.")
    ground = models.CharField(max_length=300, help_text="Art. 17(3) ground or legal reference.")
    ends_on = models.DateField(
        null=True, blank=True, help_text="End of retention; empty while the start event is unknown."
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    # Register data category of each personal-data field (the inventory check, R4,
    # and Vigie's own source read it); the help_text says the same to a person.
    PERSONAL_DATA: ClassVar[dict[str, str]] = {
        "row_key": "dsr-case-files",
    }

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "table", "row_key"], name="sources_archived_once_per_row"
            )
        ]
        indexes = [models.Index(fields=["ends_on"], name="sources_archived_ends_on")]

    def __str__(self) -> str:
        return f"{self.source}.{self.table}[{self.row_key}]"


class ArchivedSubject(models.Model):
    """Whose a kept row is: a keyed reference of one of the person's identifiers, so that
    an access request after the erasure still finds the rows kept on a legal ground
    (R51) when the identity rows that led to them are anonymised. It goes with its
    record, at the end of the row's retention."""

    record = models.ForeignKey(ArchivedRecord, on_delete=models.CASCADE, related_name="subjects")
    ref = models.CharField(
        max_length=64,
        help_text="Category: DSR case files (keyed HMAC of one of the person's identifiers, "
        "an address or a login, never the identifier itself).",
    )

    PERSONAL_DATA: ClassVar[dict[str, str]] = {
        "ref": "dsr-case-files",
    }

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["record", "ref"], name="sources_archived_subject_once")
        ]
        indexes = [models.Index(fields=["ref"], name="sources_archived_subject_ref")]

    def __str__(self) -> str:
        return f"{self.record} ← {self.ref[:8]}…"


class ResidueCheck(models.Model):
    """The residue check of one source after an erasure, run as a background job: what
    still holds one of the person's identifiers, by table and column (counts only).

    The identifiers are needed to search for them: they are kept sealed (AES-GCM under a
    key derived for this purpose) until the check is done, then dropped."""

    class State(models.TextChoices):
        PENDING = "pending", "pending"
        DONE = "done", "done"

    source = models.CharField(max_length=64)
    subject_ref = models.CharField(
        max_length=32,
        help_text="Category: keyed reference of the person erased (the journal's), not reversible.",
    )
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    identifiers_sealed = models.BinaryField(
        null=True,
        blank=True,
        help_text="Category: DSR case files (the person's identifiers searched for: "
        "addresses, logins, names; sealed, emptied once the check is done).",
    )
    #: Per category of the erasure's plan: "keep" or "erase" (the kept columns are listed
    #: apart from the residue).
    plan = models.JSONField(default=dict, blank=True)
    #: [[table, column, rows], …] and [[table, column, rows, category], …]
    residue = models.JSONField(default=list, blank=True)
    kept_residue = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)

    PERSONAL_DATA: ClassVar[dict[str, str]] = {
        "subject_ref": "dsr-case-files",
        "identifiers_sealed": "dsr-case-files",
    }

    class Meta:
        indexes = [models.Index(fields=["state", "created_at"], name="sources_residue_state")]

    def __str__(self) -> str:
        return f"{self.source}: residue check {self.pk} ({self.state})"
