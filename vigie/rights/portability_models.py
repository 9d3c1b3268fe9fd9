"""What a portability case stores (R58, Art. 20): the export, sealed, and its one-time links.

- ``PortabilityExport``: the JSON document and the CSV zip made for a case, each sealed
  under a key of this domain bound to the export's row (a blob cannot be moved to
  another export); downloadable until ``expires_at`` (``RIGHTS_PORTABILITY_DAYS``).
- ``TransferLink``: a link sent to a receiving controller (Art. 20(2)); the address is
  sealed; the link works once (``used_at``) and expires with the export.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.db import models


class PortabilityExport(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(
        "rights.Case", on_delete=models.CASCADE, related_name="portability_exports"
    )
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    #: Who made it: ``kind:id`` of the actor (no name).
    created_by = models.CharField(max_length=80)
    sections = models.PositiveIntegerField(default=0)
    rows = models.PositiveIntegerField(default=0)
    json_sealed = models.BinaryField(
        help_text="Category: rights case files (the person's provided and observed data, sealed)."
    )
    csv_sealed = models.BinaryField(
        help_text="Category: rights case files (the same data as CSV files in a zip, sealed)."
    )
    #: When the daily job emptied the files after ``expires_at`` (the row stays: the
    #: case's history says what was exported and when).
    deleted_at = models.DateTimeField(null=True, blank=True)

    PERSONAL_DATA: ClassVar[dict[str, str]] = {
        "json_sealed": "dsr-case-files",
        "csv_sealed": "dsr-case-files",
    }

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"portability export {self.pk} of {self.case_id}"


class TransferLink(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    export = models.ForeignKey(PortabilityExport, on_delete=models.CASCADE, related_name="links")
    address_sealed = models.BinaryField(
        help_text="Category: rights case files (the receiving controller's address, sealed)."
    )
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    #: The outbox message that carried the link.
    message_id = models.UUIDField(null=True, blank=True)

    PERSONAL_DATA: ClassVar[dict[str, str]] = {"address_sealed": "dsr-case-files"}

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"transfer link {self.pk}"
