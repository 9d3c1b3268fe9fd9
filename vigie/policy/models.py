"""Versions of the privacy policy (R74): numbered, dated, and frozen once published.

A version is a draft until it is published; its text (French and English HTML) is
rendered from the register once, when the draft is made, and never re-rendered. Once
published, a row can no longer be changed or deleted, through ``save()``,
``delete()`` or a queryset: consent records and notices point at a version number
(R75) and must keep pointing at the very text the person was shown (Art. 7(1)).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models


class PublishedVersionImmutable(RuntimeError):
    """Somebody tried to change or delete a published policy version."""


class Status(models.TextChoices):
    DRAFT = "draft", "draft"
    PUBLISHED = "published", "published"


class _PolicyVersionQuerySet(models.QuerySet["PolicyVersion"]):
    def update(self, **kwargs: Any) -> int:
        # A bulk update may only touch drafts: published texts are evidence.
        if self.filter(status=Status.PUBLISHED).exists():
            raise PublishedVersionImmutable("published policy versions cannot be updated")
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        if self.filter(status=Status.PUBLISHED).exists():
            raise PublishedVersionImmutable("published policy versions cannot be deleted")
        return super().delete()

    def published(self) -> _PolicyVersionQuerySet:
        return self.filter(status=Status.PUBLISHED)


class PolicyVersion(models.Model):
    number = models.PositiveIntegerField(unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    register_revision = models.PositiveIntegerField(
        help_text="Number of the register revision the text was rendered from."
    )
    body_fr = models.TextField(help_text="The French text (HTML), rendered at draft creation.")
    body_en = models.TextField(help_text="The English text (HTML), rendered at draft creation.")
    change_summary_fr = models.TextField()
    change_summary_en = models.TextField()
    material = models.BooleanField(
        default=False, help_text="A substantial change: people are told by e-mail first (R76)."
    )
    # Who: an actor kind ("user", "cli", …) and an identifier, never a name.
    author_type = models.CharField(max_length=16)
    author_id = models.CharField(max_length=64, blank=True)
    publisher_type = models.CharField(max_length=16, blank=True)
    publisher_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField()
    published_at = models.DateTimeField(null=True, blank=True)
    effective_at = models.DateTimeField(
        null=True, blank=True, help_text="When the version comes into force (R75)."
    )

    objects = _PolicyVersionQuerySet.as_manager()

    # No personal data: the inventory check (R4) knows this model was looked at.
    PERSONAL_DATA: ClassVar[dict[str, str]] = {}

    class Meta:
        ordering = ["-number"]
        indexes = [models.Index(fields=["status", "effective_at"])]

    def __str__(self) -> str:
        return f"policy v{self.number} ({self.status})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The stored row decides, not the instance: publishing is the one allowed
        # change (draft -> published); after that the row is frozen.
        if self.pk is not None:
            stored = type(self).objects.filter(pk=self.pk).values_list("status", flat=True).first()
            if stored == Status.PUBLISHED:
                raise PublishedVersionImmutable(
                    f"policy v{self.number} is published and cannot be changed"
                )
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if type(self).objects.filter(pk=self.pk, status=Status.PUBLISHED).exists():
            raise PublishedVersionImmutable(
                f"policy v{self.number} is published and cannot be deleted"
            )
        return super().delete(*args, **kwargs)

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED

    def body(self, lang: str) -> str:
        return self.body_en if lang == "en" else self.body_fr

    def change_summary(self, lang: str) -> str:
        return self.change_summary_en if lang == "en" else self.change_summary_fr
