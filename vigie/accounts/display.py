"""How the audit log names staff accounts and API keys: registered with the audit app
at start-up, since audit sits below accounts and may not import it."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vigie.accounts.models import ApiKey, User
from vigie.audit.display import register_actor_namer, register_object_kind


def user_links(ids: list[str]) -> dict[str, str | tuple[str, str]]:
    users = User.objects.filter(pk__in=[i for i in ids if i.isdigit()])
    return {
        str(pk): (reverse("accounts:staff-detail", args=[pk]), username)
        for pk, username in users.values_list("pk", "username")
    }


def apikey_links(ids: list[str]) -> dict[str, str | tuple[str, str]]:
    """A key links to its owner's page and is named with its owner: an event on a key
    (its revocation by a privacy lead, say) names both the one who acted and the owner."""
    keys = ApiKey.objects.filter(pk__in=[i for i in ids if i.isdigit()])
    return {
        str(pk): (
            reverse("accounts:staff-detail", args=[owner_id]),
            _("“%(name)s” of %(owner)s") % {"name": name, "owner": owner},
        )
        for pk, name, owner_id, owner in keys.values_list(
            "pk", "name", "owner_id", "owner__username"
        )
    }


def actor_names(actors: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """Logins of the staff and names of the API keys among ``(kind, id)`` actors."""
    ids = {i for kind, i in actors if kind == "user" and i.isdigit()}
    prefixes = {i for kind, i in actors if kind == "api_key"}
    names: dict[tuple[str, str], str] = {}
    if ids:
        for pk, username in User.objects.filter(pk__in=ids).values_list("pk", "username"):
            names[("user", str(pk))] = username
    if prefixes:
        for prefix, name, owner in ApiKey.objects.filter(prefix__in=prefixes).values_list(
            "prefix", "name", "owner__username"
        ):
            names[("api_key", prefix)] = _("API key “%(name)s” of %(owner)s") % {
                "name": name,
                "owner": owner,
            }
    return names


def register_audit_display() -> None:
    register_object_kind("accounts.user", gettext_lazy("Staff account"), user_links)
    register_object_kind("accounts.apikey", gettext_lazy("API key"), apikey_links)
    register_actor_namer(actor_names)
