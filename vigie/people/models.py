"""Data subjects, with every personal field sealed under the person's own key (R30).

Only ciphertext and a keyed blind index are stored here; the data keys are in the
separate key store (``PersonKey``, database ``keys``).
"""

from __future__ import annotations

import uuid

from django.db import models


class Person(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
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
    shredded_at = models.DateTimeField(null=True, blank=True)

    SEALED_FIELDS = ("email", "first_name", "last_name", "phone")

    def __str__(self) -> str:
        return f"person {self.id}"


class PersonKey(models.Model):
    """A person's data key, wrapped by a master key. Stored in the ``keys`` database."""

    person_id = models.UUIDField(primary_key=True)
    wrapped = models.BinaryField()
    master_key_id = models.CharField(max_length=16, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"key of person {self.person_id}"
