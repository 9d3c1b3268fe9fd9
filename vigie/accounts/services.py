"""Staff accounts, roles, undertakings, deactivation and API keys (R27, R28).

Each function owns its transaction and records its audit event inside it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import date, timedelta

from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from vigie.accounts.models import ApiKey, GrantStatus, RoleGrant, StaffSession, User
from vigie.accounts.permissions import Permission, Role, permissions_of, role_reaches_personal_data
from vigie.audit.actions import Action
from vigie.audit.actor import Actor
from vigie.audit.services import record_event

API_KEY_PREFIX = "vigie"


class AccountError(ValueError):
    """A request about an account that cannot be carried out; the message says why."""


def _check_role_allowed(user: User, role: str) -> None:
    if role not in Role.values:
        raise AccountError(
            _("Unknown role %(role)s; expected one of: %(roles)s")
            % {"role": role, "roles": ", ".join(Role.values)}
        )
    # R28: personal-data roles only after the undertaking and the training.
    if role_reaches_personal_data(role) and (
        user.confidentiality_signed_at is None or user.gdpr_training_at is None
    ):
        raise AccountError(
            _(
                "The role “%(role)s” reaches personal data: record the confidentiality "
                "undertaking and GDPR training dates first."
            )
            % {"role": Role(role).label}
        )


def _check_dates(*values: date | None) -> None:
    # An undertaking or a training not yet done cannot open a role (R28).
    today = timezone.localdate()
    if any(value is not None and value > today for value in values):
        raise AccountError(_("A date in the future cannot be recorded."))


def create_staff(
    actor: Actor,
    *,
    username: str,
    email: str,
    password: str,
    role: str = Role.NONE,
    first_name: str = "",
    last_name: str = "",
    confidentiality_signed_at: date | None = None,
    gdpr_training_at: date | None = None,
) -> User:
    if not username.strip():
        raise AccountError(_("A username is required."))
    _check_dates(confidentiality_signed_at, gdpr_training_at)
    if User.objects.filter(username=username).exists():
        raise AccountError(_("The username %(username)s is taken.") % {"username": username})
    user = User(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        confidentiality_signed_at=confidentiality_signed_at,
        gdpr_training_at=gdpr_training_at,
        is_staff=False,
    )
    _check_role_allowed(user, role)
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise AccountError(" ".join(error.messages)) from None
    user.role = role
    user.set_password(password)
    with transaction.atomic():
        user.save()
        record_event(actor, Action.USER_CREATE, user, extra={"role": role})
    return user


def record_undertakings(
    actor: Actor,
    user: User,
    *,
    confidentiality_signed_at: date | None,
    gdpr_training_at: date | None,
) -> User:
    """Record when the account signed its confidentiality undertaking and was trained."""
    _check_dates(confidentiality_signed_at, gdpr_training_at)
    with transaction.atomic():
        user.confidentiality_signed_at = confidentiality_signed_at
        user.gdpr_training_at = gdpr_training_at
        # Without both dates no personal-data role may stay (R28).
        changed = ["confidentiality_signed_at", "gdpr_training_at"]
        if role_reaches_personal_data(user.role) and None in (
            confidentiality_signed_at,
            gdpr_training_at,
        ):
            user.role = Role.NONE
            changed.append("role")
        user.save(update_fields=changed)
        record_event(actor, Action.USER_UNDERTAKINGS, user, extra={"fields": changed})
    return user


def _refuse_own_account(actor: Actor, user: User) -> None:
    # Issue 11: an administrator gave itself the privacy-lead role, then read
    # personal data. Nobody changes their own role, up or down.
    if actor.user is not None and actor.user.pk == user.pk:
        raise OwnRoleChange(_("You cannot change your own role: ask another administrator."))


class OwnRoleChange(AccountError):
    """A staff member tried to change or confirm their own role."""


def needs_second_person(role: str) -> bool:
    """Granting ``role`` takes a second person's confirmation: it reaches personal data."""
    return role_reaches_personal_data(role)


def second_person_exists() -> bool:
    """Whether an active account may confirm a role (an administrator or a privacy
    lead). Until one exists, the command line gives the first one its role at once:
    the bootstrap of an installation (docs/permissions.md)."""
    confirming = [r for r in Role.values if Permission.ACCOUNTS_ROLE_CONFIRM in permissions_of(r)]
    return User.objects.filter(is_active=True, role__in=confirming).exists()


def set_role(actor: Actor, user: User, role: str) -> User:
    """Give ``user`` the role now. The back-office and the command line go through
    ``request_role``, which calls this at once only for a role that reaches no personal
    data, and through ``confirm_role`` for the others. Called directly, it is the
    bootstrap path (the demo's accounts, the first account of an installation)."""
    _refuse_own_account(actor, user)
    _check_role_allowed(user, role)
    if not user.is_active:
        raise AccountError(_("A deactivated account cannot be given a role."))
    with transaction.atomic():
        previous = user.role
        user.role = role
        user.save(update_fields=["role"])
        # A role given by other means makes any request still pending pointless.
        RoleGrant.objects.filter(user=user, status=GrantStatus.PENDING).update(
            status=GrantStatus.WITHDRAWN, decided_at=timezone.now()
        )
        record_event(actor, Action.USER_ROLE_CHANGE, user, extra={"from": previous, "to": role})
    return user


#: Sent in the transaction that asks for a role, with ``grant``:
#: mail (``mail.staff_notices``) e-mails the privacy leads. A signal, because mail
#: imports accounts and not the other way round.
role_grant_requested = Signal()


def request_role(actor: Actor, user: User, role: str) -> RoleGrant | None:
    """Ask for ``role`` for ``user``. A role that reaches personal data is recorded as a
    pending grant that a second person confirms (``confirm_role``), and the privacy
    leads are told; any other role (no role at all) is given at once. Returns the
    pending grant, or None when the role was given."""
    _refuse_own_account(actor, user)
    _check_role_allowed(user, role)
    if not user.is_active:
        raise AccountError(_("A deactivated account cannot be given a role."))
    if not needs_second_person(role) or role == user.role:
        set_role(actor, user, role)
        return None
    with transaction.atomic():
        # One pending request per account: the newest replaces the previous one.
        RoleGrant.objects.select_for_update().filter(user=user, status=GrantStatus.PENDING).update(
            status=GrantStatus.WITHDRAWN, decided_at=timezone.now()
        )
        grant = RoleGrant.objects.create(user=user, role=role, requested_by=actor.user)
        record_event(
            actor,
            Action.USER_ROLE_REQUEST,
            user,
            extra={"grant": grant.pk, "from": user.role, "to": role},
        )
        # In the same transaction: the notice is queued with the request, or neither is.
        role_grant_requested.send(sender=RoleGrant, grant=grant, actor=actor)
    return grant


def pending_grants() -> list[RoleGrant]:
    return list(
        RoleGrant.objects.filter(status=GrantStatus.PENDING)
        .select_related("user", "requested_by")
        .order_by("requested_at")
    )


def count_pending_grants(*, excluding: object = None) -> int:
    """Pending grants, those for the ``excluding`` account left out (it cannot decide)."""
    grants = RoleGrant.objects.filter(status=GrantStatus.PENDING)
    if isinstance(excluding, User):
        grants = grants.exclude(user=excluding)
    return grants.count()


def _decide(actor: Actor, grant: RoleGrant) -> RoleGrant:
    """The grant, locked and still pending; the actor a second person who may decide."""
    decider = actor.user
    if decider is None or not decider.has_vigie_permission(Permission.ACCOUNTS_ROLE_CONFIRM):
        raise AccountError(_("Only a privacy lead or an administrator may confirm a role."))
    locked = RoleGrant.objects.select_for_update().select_related("user").get(pk=grant.pk)
    if locked.status != GrantStatus.PENDING:
        raise AccountError(_("This request has already been dealt with."))
    _refuse_own_account(actor, locked.user)
    return locked


def confirm_role(actor: Actor, grant: RoleGrant) -> User:
    """The second person confirms: the role is given now."""
    with transaction.atomic():
        locked = _decide(actor, grant)
        if locked.requested_by_id == actor.user.pk:
            raise AccountError(
                _("The person who asked for a role cannot also confirm it: a second person must.")
            )
        user = locked.user
        _check_role_allowed(user, locked.role)
        if not user.is_active:
            raise AccountError(_("A deactivated account cannot be given a role."))
        previous = user.role
        user.role = locked.role
        user.save(update_fields=["role"])
        locked.status = GrantStatus.CONFIRMED
        locked.decided_by = actor.user
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decided_by", "decided_at"])
        record_event(
            actor,
            Action.USER_ROLE_CONFIRM,
            user,
            extra={
                "grant": locked.pk,
                "from": previous,
                "to": locked.role,
                "requested_by": locked.requested_by_id,
            },
        )
        record_event(
            actor, Action.USER_ROLE_CHANGE, user, extra={"from": previous, "to": locked.role}
        )
    return user


def refuse_role(actor: Actor, grant: RoleGrant) -> RoleGrant:
    """A privacy lead or an administrator refuses the request (its author may withdraw it)."""
    with transaction.atomic():
        locked = _decide(actor, grant)
        locked.status = GrantStatus.REFUSED
        locked.decided_by = actor.user
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decided_by", "decided_at"])
        record_event(
            actor,
            Action.USER_ROLE_REFUSE,
            locked.user,
            extra={"grant": locked.pk, "role": locked.role},
        )
    return locked


def deactivate_user(actor: Actor, user: User) -> User:
    """End a departure (R28): no login, no session, no API key, from now on."""
    with transaction.atomic():
        user.is_active = False
        user.deactivated_at = timezone.now()
        user.save(update_fields=["is_active", "deactivated_at"])
        keys = ApiKey.objects.filter(owner=user, revoked_at__isnull=True)
        revoked = keys.update(revoked_at=timezone.now())
        session_keys = StaffSession.objects.filter(user=user).values_list("session_key", flat=True)
        ended, _detail = Session.objects.filter(session_key__in=list(session_keys)).delete()
        StaffSession.objects.filter(user=user).delete()
        record_event(
            actor,
            Action.USER_DEACTIVATE,
            user,
            extra={"api_keys_revoked": revoked, "sessions_ended": ended},
        )
    return user


def change_password(actor: Actor, user: User, password: str) -> None:
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise AccountError(" ".join(error.messages)) from None
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        record_event(actor, Action.USER_PASSWORD_CHANGE, user)


# --- API keys ---------------------------------------------------------------------


def _hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_key(
    actor: Actor, owner: User, *, name: str, scopes: list[str]
) -> tuple[ApiKey, str]:
    """Create a key and return it with its plaintext, which is never shown again."""
    if not name.strip():
        raise AccountError(_("An API key needs a name."))
    if not scopes:
        raise AccountError(_("An API key needs at least one scope."))
    known = {p.value for p in Permission}
    unknown = sorted(set(scopes) - known)
    if unknown:
        raise AccountError(_("Unknown scope(s): %(scopes)s") % {"scopes": ", ".join(unknown)})
    allowed = {p.value for p in permissions_of(owner.role)}
    if actor.user is not None:
        # Nobody hands out, through a key, a power they do not hold themselves.
        allowed &= {p.value for p in actor.user.vigie_permissions}
    beyond = sorted(set(scopes) - allowed)
    if beyond:
        raise AccountError(
            _("The owner's role, or yours, does not allow: %(scopes)s")
            % {"scopes": ", ".join(beyond)}
        )
    if not owner.is_active:
        raise AccountError(_("A deactivated account cannot own an API key."))
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    key = ApiKey(
        name=name,
        prefix=prefix,
        secret_hash=_hash_secret(secret),
        scopes=sorted(set(scopes)),
        owner=owner,
    )
    with transaction.atomic():
        key.save()
        record_event(actor, Action.APIKEY_CREATE, key, extra={"scopes": key.scopes})
    return key, f"{API_KEY_PREFIX}_{prefix}_{secret}"


def revoke_api_key(actor: Actor, key: ApiKey) -> ApiKey:
    """Revoke ``key``; the event names its owner beside the actor, so that a key revoked
    by someone else (a privacy lead ending an integration) says whose it was."""
    if key.revoked_at is not None:
        return key
    with transaction.atomic():
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        record_event(actor, Action.APIKEY_REVOKE, key, extra={"owner": str(key.owner_id)})
    return key


def authenticate_api_key(token: str) -> ApiKey | None:
    """Return the usable key matching ``token``, or None (revoked, owner gone, forged)."""
    parts = token.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != API_KEY_PREFIX:
        return None
    key = ApiKey.objects.select_related("owner").filter(prefix=parts[1]).first()
    if key is None or not hmac.compare_digest(key.secret_hash, _hash_secret(parts[2])):
        return None
    if not key.is_usable:
        return None
    now = timezone.now()
    # Write "last used" at most once a minute: a busy integration must not turn
    # every read into a write.
    if key.last_used_at is None or now - key.last_used_at > timedelta(minutes=1):
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key


# --- Second factor ------------------------------------------------------------------


def start_totp_enrolment(user: User) -> TOTPDevice:
    """Return the account's unconfirmed TOTP device, creating it once."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="TOTP", confirmed=False)
    return device


def confirm_totp_enrolment(actor: Actor, user: User, token: str) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        raise AccountError(_("No second factor is being set up for this account."))
    if not device.verify_token(token):
        raise AccountError(_("This code is not valid; check your device's clock and try again."))
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        record_event(actor, Action.TOTP_ENROL, user)
    return device


def has_confirmed_totp(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()
