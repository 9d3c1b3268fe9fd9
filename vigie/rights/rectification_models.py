"""The records of a rectification (Art. 16, R54): the corrections asked for, their proof,
the old and new values of every place changed (sealed), and the places someone must look
at by hand (a source holding the person that maps no column for a corrected field).
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

#: The person attributes staff may correct, in words (the manifests' ``attribute`` names).
ATTRIBUTE_LABELS = {
    "civility": _("Civility"),
    "first_name": _("First name"),
    "last_name": _("Last name"),
    "birth_date": _("Date of birth"),
    "email": _("E-mail address"),
    "phone": _("Telephone"),
    "mobile": _("Mobile phone"),
    "job_title": _("Job title"),
    "address": _("Postal address"),
    "postal_code": _("Postal code"),
    "city": _("City"),
    "country": _("Country"),
    "full_name": _("Full name"),
}
#: Identity data: changed only with a proportionate proof (a document, or staff noting
#: the document seen). Never refused for being identity data (L1).
IDENTITY_ATTRIBUTES = frozenset({"civility", "first_name", "last_name", "birth_date"})


def attribute_labels(attributes: list[str]) -> str:
    return ", ".join(str(ATTRIBUTE_LABELS.get(a, a)).lower() for a in attributes)


class ProofKind(models.TextChoices):
    NONE = "", _("No proof yet")
    DOCUMENT = "document", _("Document received (stored encrypted)")
    SEEN = "seen", _("Document seen by staff")
    NOT_NEEDED = "not_needed", _("Not needed (no identity data)")


class Rectification(models.Model):
    """The corrections of one case: asked for, proven when needed, applied everywhere."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("rights.Case", on_delete=models.CASCADE, related_name="rectifications")
    #: The attributes corrected (codes, no values): for the timeline and the pages.
    attributes = models.JSONField(default=list)
    changes_sealed = models.BinaryField(
        help_text="Category: data-subject request case files (the new values, sealed)."
    )
    requested_at = models.DateTimeField()
    requested_by = models.CharField(max_length=100, blank=True)
    proof = models.CharField(max_length=16, choices=ProofKind.choices, blank=True, default="")
    proof_note = models.TextField(
        blank=True,
        default="",
        help_text="Category: requesters' proof of identity (what document was seen).",
    )
    proof_sealed = models.BinaryField(
        null=True, help_text="Category: requesters' proof of identity (the document, sealed)."
    )
    proof_name_sealed = models.BinaryField(
        null=True, help_text="Category: requesters' proof of identity (its file name, sealed)."
    )
    proof_content_type = models.CharField(max_length=100, blank=True, default="")
    proof_recorded_at = models.DateTimeField(null=True, blank=True)
    proof_recorded_by = models.CharField(max_length=100, blank=True, default="")
    applied_at = models.DateTimeField(null=True, blank=True)
    applied_by = models.CharField(max_length=100, blank=True, default="")
    history_sealed = models.BinaryField(
        null=True,
        help_text="Category: data-subject request case files (old and new value of every "
        "place changed, sealed).",
    )
    #: Counts only: places changed per source, for the pages and the letter.
    summary = models.JSONField(default=dict, blank=True)

    PERSONAL_DATA: ClassVar[dict[str, str]] = {
        "changes_sealed": "dsr-case-files",
        "proof_note": "dsr-identity-documents",
        "proof_sealed": "dsr-identity-documents",
        "proof_name_sealed": "dsr-identity-documents",
        "history_sealed": "dsr-case-files",
    }

    class Meta:
        ordering = ["requested_at", "pk"]

    def __str__(self) -> str:
        return f"rectification {self.pk} of {self.case_id}"

    @property
    def needs_proof(self) -> bool:
        return bool(IDENTITY_ATTRIBUTES & set(self.attributes)) and not self.proof

    @property
    def applied(self) -> bool:
        return self.applied_at is not None


class TaskStatus(models.TextChoices):
    OPEN = "open", _("To do")
    DONE = "done", _("Done")


class RectificationTask(models.Model):
    """A place to correct by hand: a source holding the person whose manifest maps no
    column for a corrected field. Named for the source's owner; done with a note."""

    case = models.ForeignKey(
        "rights.Case", on_delete=models.CASCADE, related_name="rectification_tasks"
    )
    rectification = models.ForeignKey(Rectification, on_delete=models.CASCADE, related_name="tasks")
    source = models.CharField(max_length=64)
    attributes = models.JSONField(default=list)
    status = models.CharField(max_length=8, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    note = models.TextField(
        blank=True, help_text="Category: data-subject request case files (what was done)."
    )
    created_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.CharField(max_length=100, blank=True)

    PERSONAL_DATA: ClassVar[dict[str, str]] = {"note": "dsr-case-files"}

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["rectification", "source"], name="rights_rectification_task_once"
            )
        ]

    def __str__(self) -> str:
        return f"rectification task in {self.source} for {self.case_id}"

    @property
    def is_open(self) -> bool:
        return self.status == TaskStatus.OPEN
