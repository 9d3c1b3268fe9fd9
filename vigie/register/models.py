"""The register in the database: immutable revisions of the whole document (R3).

Every change (a file loaded, a field edited in the back-office) writes a new
revision with its author, time and the list of changed paths; the register "as at
date D" is the last revision made before the end of D. The data categories are
also projected into their own table, with their retention rule, for the domains
that act on them (sources, retention), and so are the recipients, for the domains
that point at them (disclosures, notices).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models

from vigie.audit.models import AppendOnlyModel


class Revision(AppendOnlyModel):
    number = models.PositiveIntegerField(unique=True)
    created_at = models.DateTimeField()
    author_type = models.CharField(max_length=16)
    author_id = models.CharField(max_length=64, blank=True)
    reason = models.CharField(max_length=200, blank=True)
    document = models.JSONField()
    changes = models.JSONField(default=list, help_text="Paths changed since the previous revision.")

    # No personal data: the inventory check (R4) knows this model was looked at.
    PERSONAL_DATA: ClassVar[dict[str, str]] = {}

    class Meta:
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"register r{self.number}"


class DataCategory(models.Model):
    """Projection of ``data_categories`` of the current revision, kept by key."""

    key = models.SlugField(max_length=64, unique=True)
    label_fr = models.CharField(max_length=200)
    label_en = models.CharField(max_length=200)
    active_duration = models.CharField(max_length=16, blank=True)
    archive_duration = models.CharField(max_length=16, blank=True)
    final_action = models.CharField(max_length=16)
    legal_reference = models.CharField(max_length=300)
    retention = models.JSONField(default=dict)
    in_register = models.BooleanField(
        default=True, help_text="False once the category left the register (kept for references)."
    )

    # No personal data: the inventory check (R4) knows this model was looked at.
    PERSONAL_DATA: ClassVar[dict[str, str]] = {}

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.key

    @classmethod
    def fields_from(cls, entry: dict[str, Any]) -> dict[str, Any]:
        rule = entry["retention"]
        return {
            "label_fr": entry["label"]["fr"],
            "label_en": entry["label"]["en"],
            "active_duration": rule.get("active_duration") or "",
            "archive_duration": rule.get("archive_duration") or "",
            "final_action": rule["final_action"],
            "legal_reference": rule["legal_reference"],
            "retention": rule,
            "in_register": True,
        }


class Recipient(models.Model):
    """Projection of ``recipients`` of the current revision, kept by key (Art. 30(1)(d)).

    Disclosures, Art. 19 notices and processor notices point at these rows: a recipient
    that leaves the register keeps its row, marked ``in_register=False``, so what was
    sent to it stays readable.
    """

    key = models.SlugField(max_length=64, unique=True)
    name_fr = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    category = models.CharField(max_length=32)
    country = models.CharField(max_length=2)
    transfer_safeguard = models.TextField(blank=True)
    contract_reference = models.CharField(max_length=200, blank=True)
    privacy_contact = models.CharField(max_length=200, blank=True)
    data_categories = models.JSONField(default=list)
    in_register = models.BooleanField(
        default=True, help_text="False once the recipient left the register (kept for references)."
    )

    # Register data category of each personal-data field (the inventory check, R4,
    # and Vigie's own source read it); the help_text says the same to a person.
    PERSONAL_DATA: ClassVar[dict[str, str]] = {
        "privacy_contact": "supplier-contacts",
    }

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.key

    @classmethod
    def fields_from(cls, entry: dict[str, Any]) -> dict[str, Any]:
        return {
            "name_fr": entry["name"]["fr"],
            "name_en": entry["name"]["en"],
            "category": entry["category"],
            "country": entry["country"],
            "transfer_safeguard": entry.get("transfer_safeguard") or "",
            "contract_reference": entry.get("contract_reference") or "",
            "privacy_contact": entry.get("privacy_contact") or "",
            "data_categories": list(entry.get("data_categories") or []),
            "in_register": True,
        }

    def name(self, lang: str = "fr") -> str:
        return self.name_en if lang == "en" else self.name_fr
