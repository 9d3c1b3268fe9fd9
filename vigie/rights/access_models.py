"""The access package of a case (Art. 15, R50, R51): compiled once, kept sealed, expiring.

The package's content (a copy of the person's data from every store, with the
register's information) is sealed with the rights domain's key, bound to this row
(R30): the database holds only the case, the dates, who compiled and sent it, and the
number of items found per source. It is never an attachment: the person downloads it
from their personal space or through a signed link sent to the address on file, until
``expires_at`` (``VIGIE_ACCESS_PACKAGE_DAYS``, 30 days by default, R50).
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.db import models
from django.utils import timezone


class AccessPackage(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(
        "rights.Case", on_delete=models.CASCADE, related_name="access_packages"
    )
    language = models.CharField(max_length=8, default="fr")
    compiled_at = models.DateTimeField()
    compiled_by = models.CharField(max_length=100, help_text="actor kind:id")
    content_sealed = models.BinaryField(
        help_text="Category: data-subject request case files (the copy of the person's "
        "data and the Art. 15 information, sealed)."
    )
    #: Items found per source (``{"vigie": 12, "glpi": 40}``): counts, no personal data.
    counts = models.JSONField(default=dict)
    expires_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.CharField(max_length=100, blank=True, default="")
    downloads = models.PositiveIntegerField(default=0)

    PERSONAL_DATA: ClassVar[dict[str, str]] = {"content_sealed": "dsr-case-files"}

    class Meta:
        ordering = ["-compiled_at"]

    def __str__(self) -> str:
        return f"access package of {self.case_id}"

    @property
    def expired(self) -> bool:
        return timezone.now() >= self.expires_at
