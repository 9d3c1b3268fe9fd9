"""Staff accounts, their role, their R28 undertakings, their sessions and API keys."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from vigie.accounts.permissions import (
    ROLES_REQUIRING_TOTP,
    Permission,
    Role,
    permissions_of,
)


class User(AbstractUser):
    """A staff member: one individual account per person, never shared (R27)."""

    first_name = models.CharField(
        _("first name"), max_length=150, blank=True, help_text="Category: staff identity."
    )
    last_name = models.CharField(
        _("last name"), max_length=150, blank=True, help_text="Category: staff identity."
    )
    email = models.EmailField(_("e-mail address"), blank=True, help_text="Category: staff contact.")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, default=Role.NONE)
    confidentiality_signed_at = models.DateField(
        _("confidentiality undertaking signed on"),
        null=True,
        blank=True,
        help_text="Category: staff HR record (R28, Art. 28(3)(b)).",
    )
    gdpr_training_at = models.DateField(
        _("GDPR training completed on"),
        null=True,
        blank=True,
        help_text="Category: staff HR record (R28, Art. 39(1)(b)).",
    )
    deactivated_at = models.DateTimeField(_("deactivated at"), null=True, blank=True)

    # Register data category of each personal-data field (the inventory check, R4,
    # and Vigie's own source read it); the help_text says the same to a person.
    PERSONAL_DATA: ClassVar[dict[str, str]] = {
        "username": "staff-accounts",
        "password": "staff-accounts",
        "first_name": "staff-accounts",
        "last_name": "staff-accounts",
        "email": "staff-accounts",
        "role": "staff-accounts",
        "confidentiality_signed_at": "staff-accounts",
        "gdpr_training_at": "staff-accounts",
        "deactivated_at": "staff-accounts",
        "last_login": "staff-accounts",
        "date_joined": "staff-accounts",
    }

    def has_vigie_permission(self, permission: Permission) -> bool:
        return self.is_active and permission in permissions_of(self.role)

    @property
    def requires_totp(self) -> bool:
        return self.role in ROLES_REQUIRING_TOTP

    @property
    def vigie_permissions(self) -> frozenset[Permission]:
        return permissions_of(self.role) if self.is_active else frozenset()


class StaffSession(models.Model):
    """Which session belongs to whom, so that deactivation can end them all at once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # Register data category of each personal-data field (the inventory check, R4,
    # and Vigie's own source read it); the help_text says the same to a person.
    PERSONAL_DATA: ClassVar[dict[str, str]] = {
        "user": "security-logs",
        "session_key": "security-logs",
        "created_at": "security-logs",
    }


class ApiKey(models.Model):
    """A credential for other software. Only a SHA-256 of the secret is stored.

    The secret is 256 random bits, so a fast hash is enough (no dictionary to try);
    the prefix lets the key be found in one indexed look-up and shown in lists.
    """

    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    scopes = models.JSONField(_("scopes"), default=list)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_keys"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    # Register data category of each personal-data field (the inventory check, R4,
    # and Vigie's own source read it); the help_text says the same to a person.
    PERSONAL_DATA: ClassVar[dict[str, str]] = {
        "owner": "staff-accounts",
    }

    class Meta:
        verbose_name = _("API key")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.owner.is_active

    def grants(self, permission: Permission) -> bool:
        """A key can do what its scopes say, never more than its owner's role allows."""
        return (
            self.is_usable
            and permission.value in self.scopes
            and permission in permissions_of(self.owner.role)
        )


class GrantStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Replaced or withdrawn")


class RoleGrant(models.Model):
    """A role that reaches personal data, asked for an account by one staff member and
    given only once a second person (a privacy lead or another administrator) has
    confirmed it (``accounts.services.request_role``)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_grants"
    )
    role = models.CharField(max_length=32, choices=Role.choices)
    status = models.CharField(
        max_length=16, choices=GrantStatus.choices, default=GrantStatus.PENDING, db_index=True
    )
    #: None when asked from the command line (no signed-in account).
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True)

    PERSONAL_DATA: ClassVar[dict[str, str]] = {
        "user": "staff-accounts",
        "requested_by": "staff-accounts",
        "decided_by": "staff-accounts",
    }

    class Meta:
        constraints = [
            # One pending grant per account: a new request replaces the previous one.
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(status="pending"),
                name="accounts_rolegrant_one_pending",
            )
        ]

    def __str__(self) -> str:
        return f"role {self.role} for account {self.user_id} ({self.status})"


class RateCounter(models.Model):
    """How many requests one client or one address made to one public form in one
    window (``accounts.ratelimit``). In the database, not a per-process cache, so every
    web worker counts in the same row and a restart clears nothing."""

    scope = models.CharField(max_length=80)
    key = models.CharField(
        max_length=64,
        help_text="Category: security logs (keyed hash of a client IP or an address, "
        "never the value).",
    )
    window_start = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)
    count = models.PositiveIntegerField(default=0)

    PERSONAL_DATA: ClassVar[dict[str, str]] = {"key": "security-logs"}

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "key", "window_start"], name="accounts_rate_counter_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.window_start:%Y-%m-%d %H:%M}: {self.count}"
