"""What the personal space records beside the cases (R59, Art. 16; issue 13 item 6).

- ``ContactChange``: a correction of non-identity contact data made by the person in
  their space (phone at once; e-mail once the new address is confirmed). The old and
  the new value are sealed here, bound to the row, so the correction is "logged with
  the old value" without putting a value in the audit log (which holds no personal
  data, CNIL 2021-122): the audit event names the field and this row.
- ``PostMortemDirective``: the person's directives on what becomes of their data after
  their death (loi Informatique et Libertés art. 85, R59), sealed, with the moment
  they were recorded; a new text replaces the previous one, which is kept marked
  replaced (what was in force when is part of the proof).
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.db import models

from vigie.people.models import Person


class ContactChange(models.Model):
    class Field(models.TextChoices):
        PHONE = "phone"
        EMAIL = "email"
        # Corrected in the personal space and in every source (Art. 16, R54).
        MOBILE = "mobile"
        JOB_TITLE = "job_title"
        ADDRESS = "address"
        POSTAL_CODE = "postal_code"
        CITY = "city"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="Category: identity and contact (whose contact data was corrected).",
    )
    field = models.CharField(max_length=16, choices=Field.choices)
    old_value_sealed = models.BinaryField(
        null=True, help_text="Category: identity and contact (the value before, sealed)."
    )
    new_value_sealed = models.BinaryField(
        null=True, help_text="Category: identity and contact (the value asked for, sealed)."
    )
    requested_at = models.DateTimeField()
    #: An e-mail change waits for the new address to be confirmed; a phone is at once.
    expires_at = models.DateTimeField(null=True, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    PERSONAL_DATA: ClassVar[dict[str, str]] = {
        "person": "identity-contact",
        "old_value_sealed": "identity-contact",
        "new_value_sealed": "identity-contact",
    }

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.field} change of {self.person_id}"


class PostMortemDirective(models.Model):
    person = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="Category: data-subject request case files (whose directives).",
    )
    text_sealed = models.BinaryField(
        help_text="Category: data-subject request case files (the directives, sealed)."
    )
    recorded_at = models.DateTimeField(
        help_text="Category: data-subject request case files (when recorded)."
    )
    replaced_at = models.DateTimeField(null=True, blank=True)

    PERSONAL_DATA: ClassVar[dict[str, str]] = {
        "person": "dsr-case-files",
        "text_sealed": "dsr-case-files",
        "recorded_at": "dsr-case-files",
    }

    class Meta:
        ordering = ["-recorded_at", "-pk"]

    def __str__(self) -> str:
        return f"post-mortem directive of {self.person_id}"
