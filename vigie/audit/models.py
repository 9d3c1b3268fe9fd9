"""The append-only, hash-chained audit log (R29, Art. 5(2) accountability).

Two chains: ``change`` (every change, kept) and ``read`` (reads of personal data,
purged after 6 months). Each event stores the HMAC of its canonical content and of
the previous event's HMAC; the head row of each chain holds the latest link and
is locked while an event is appended, so concurrent writers cannot fork a chain.
A purge deletes a prefix of the read chain and leaves a signed checkpoint naming
the last deleted link, from which verification starts.
"""

from __future__ import annotations

import logging
from typing import Any, ClassVar

from django.db import models


class Chain(models.TextChoices):
    CHANGE = "change", "change"
    READ = "read", "read"


security_log = logging.getLogger("vigie.security")


class AppendOnlyError(RuntimeError):
    """Somebody tried to change or delete an audit record through the ORM.

    Raising it also logs an alert on ``vigie.security`` (R29: an attempt to edit a
    log entry fails and raises an alert)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        security_log.critical("audit log tampering attempt refused: %s", message)


class _AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("audit records are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit records are append-only; read events expire by the purge")


class AppendOnlyModel(models.Model):
    """A row is written once: no save() of an existing row, no delete()."""

    objects = _AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError(f"{self._meta.label} rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{self._meta.label} rows are append-only")


class Event(AppendOnlyModel):
    chain = models.CharField(max_length=8, choices=Chain.choices)
    seq = models.BigIntegerField()
    occurred_at = models.DateTimeField()
    # Who: "user", "api_key", "system" or "cli", and an identifier, never a name.
    actor_type = models.CharField(max_length=16)
    actor_id = models.CharField(max_length=64, blank=True)
    action = models.CharField(max_length=64, db_index=True)
    # What: a reference ("accounts.user", "17"), never the personal data itself.
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    extra = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    # Register data category of each personal-data field (the inventory check, R4,
    # and Vigie's own source read it); the help_text says the same to a person.
    PERSONAL_DATA: ClassVar[dict[str, str]] = {
        "actor_id": "security-logs",
        "object_id": "security-logs",
        "ip": "security-logs",
        "extra": "security-logs",
        "occurred_at": "security-logs",
    }

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="audit_event_chain_seq"),
            models.CheckConstraint(
                condition=models.Q(chain__in=["change", "read"]), name="audit_event_known_chain"
            ),
        ]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["occurred_at"]),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.chain}/{self.seq} {self.action}"


class ChainHead(models.Model):
    """The latest link of one chain, signed, and the row locked while appending."""

    chain = models.CharField(max_length=8, choices=Chain.choices, primary_key=True)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)
    mac = models.CharField(max_length=64)

    # No personal data: the inventory check (R4) knows this model was looked at.
    PERSONAL_DATA: ClassVar[dict[str, str]] = {}


class Checkpoint(AppendOnlyModel):
    """Signed record of a purge: the chain resumes after ``seq`` whose link was ``hash``."""

    chain = models.CharField(max_length=8, choices=Chain.choices)
    seq = models.BigIntegerField()
    hash = models.CharField(max_length=64)
    cutoff = models.DateTimeField()
    purged_count = models.PositiveIntegerField()
    created_at = models.DateTimeField()
    mac = models.CharField(max_length=64)

    # No personal data: the inventory check (R4) knows this model was looked at.
    PERSONAL_DATA: ClassVar[dict[str, str]] = {}

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="audit_checkpoint_chain_seq"),
        ]


class Anchor(models.Model):
    """The latest signed head of one chain, copied into the key-store database.

    It lives apart from the log (``VIGIE_KEYS_DATABASE_URL``, see
    ``vigie.people.routers``) so that whoever can write the main database cannot
    shorten or empty the log unnoticed: ``verify`` fails when a chain is shorter than
    its anchor. It only ever moves forward; on PostgreSQL a trigger refuses a step
    back and a delete.
    """

    chain = models.CharField(max_length=8, choices=Chain.choices, primary_key=True)
    seq = models.BigIntegerField()
    hash = models.CharField(max_length=64)
    mac = models.CharField(max_length=64)
    anchored_at = models.DateTimeField()

    # No personal data: the inventory check (R4) knows this model was looked at.
    PERSONAL_DATA: ClassVar[dict[str, str]] = {}
