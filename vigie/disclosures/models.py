"""Who received what about whom (Art. 15(1)(c), 19; R22).

One row per transmission of a person's data to a recipient of the register: a dispatch
sheet to a subcontractor, a file to a debt collector, an export to counsel, an
authority's request. The recipient must exist in the register (R21): the foreign key
makes an unregistered recipient impossible. Rights use the log twice: the access
package names the recipients (R51 item 5) and, after a rectification, an erasure or a
restriction, each recipient that received affected categories gets an Art. 19 notice
task (R57, ``vigie.rights.art19``).

The row holds references, dates and codes; the person is the foreign key. It goes with
the person when the person is erased (the notices are opened before the erasure runs).
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vigie.people.models import Person
from vigie.register.models import Recipient


class Channel(models.TextChoices):
    """How the disclosure reached the log."""

    STAFF = "staff", _("Recorded by staff")
    API = "api", _("Other software (API)")
    IMPORT = "import", _("CSV import")


class Disclosure(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="disclosures")
    recipient = models.ForeignKey(Recipient, on_delete=models.PROTECT, related_name="disclosures")
    #: Register data-category keys sent (``DataCategory.key``).
    categories = models.JSONField(default=list)
    disclosed_at = models.DateTimeField()
    #: Register processing-activity key (purpose) and the legal basis of the transmission.
    purpose = models.CharField(max_length=64, blank=True)
    legal_basis = models.CharField(max_length=200, blank=True)
    #: The business reference (« intervention #123 », a requisition number…).
    reference = models.CharField(max_length=200, blank=True)
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.STAFF)
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    #: The log records the execution of contracts with subcontractors and other
    #: recipients; it is found and erased with the person (the built-in source).
    PERSONAL_DATA: ClassVar[dict[str, str]] = {
        "person": "contract-services",
        "recipient": "contract-services",
        "categories": "contract-services",
        "disclosed_at": "contract-services",
        "purpose": "contract-services",
        "legal_basis": "contract-services",
        "reference": "contract-services",
    }

    class Meta:
        ordering = ("-disclosed_at",)
        indexes = [models.Index(fields=["person", "recipient"])]
        constraints = [
            # A re-sent import line or API call is the same disclosure, not a second one.
            models.UniqueConstraint(
                fields=["person", "recipient", "disclosed_at", "reference"],
                name="disclosure_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.recipient.key} {self.disclosed_at:%Y-%m-%d}"
