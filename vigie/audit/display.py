"""The audit log as a person reads it: who by login, the action as a sentence, the
object by its kind and, where it has a page, a link to it.

The audit app sits low in the layers and imports no domain app, yet the log holds
events of every domain. So each domain registers, at start-up, the sentences of its
own action names and the kinds of object its events point at (with a function that
turns object ids into links, in one query per kind and page). The sentences of the
names in ``vigie.audit.actions`` live here. An action without a sentence is shown as
its code, and a test fails on it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from vigie.audit.actions import Action
from vigie.audit.models import Event

#: object ids → their page, or (page, name) where the object has a name people know
#: ("claire.moreau", "v2"), for the ids that have one.
Links = Callable[[list[str]], Mapping[str, str | tuple[str, str]]]


@dataclass(frozen=True)
class ObjectKind:
    label: Any
    links: Links | None = None


_SENTENCES: dict[str, Any] = {
    Action.USER_CREATE: _("created a staff account"),
    Action.USER_ROLE_CHANGE: _("changed the role of a staff account"),
    Action.USER_ROLE_REQUEST: _("asked for a role for a staff account (awaiting a second person)"),
    Action.USER_ROLE_CONFIRM: _("confirmed the role another staff member asked for"),
    Action.USER_ROLE_REFUSE: _("refused or withdrew the role asked for a staff account"),
    Action.USER_UNDERTAKINGS: _("recorded the confidentiality undertaking and GDPR training"),
    Action.USER_PASSWORD_CHANGE: _("changed a password"),
    Action.USER_DEACTIVATE: _("deactivated a staff account"),
    Action.USER_LOGIN: _("signed in"),
    Action.USER_LOGOUT: _("signed out"),
    Action.TOTP_ENROL: _("set up a second factor (TOTP)"),
    Action.APIKEY_CREATE: _("created an API key"),
    Action.APIKEY_REVOKE: _("revoked an API key"),
    Action.REGISTER_CHANGE: _("changed the register of processing"),
    Action.REGISTER_EXPORT: _("exported the register of processing"),
    Action.POLICY_DRAFT: _("drafted a privacy policy version"),
    Action.POLICY_PUBLISH: _("published a privacy policy version"),
    Action.PERSON_CREATE: _("created a person"),
    Action.PERSON_SHRED: _("destroyed a person's key (erasure)"),
    Action.PERSON_CONTACT_ADD: _("added a contact point to a person"),
    Action.PERSON_UPDATE: _("changed a person's details"),
    Action.PERSON_NAMES_INDEX: _("indexed people's names for search"),
    Action.PERSON_SOURCES_MARK: _("noted the other tools that hold a person"),
    Action.ORGANISATION_CONTACT_SET: _("set an organisation's contact address"),
    Action.ORGANISATION_CREATE: _("recorded an organisation"),
    Action.KEYS_ROTATE: _("rotated the people's encryption keys"),
    Action.RESTRICTION_SET: _("restricted the processing of a person's data"),
    Action.RESTRICTION_NOTICE: _("logged the notice before lifting a restriction"),
    Action.RESTRICTION_LIFT: _("lifted a restriction of processing"),
    Action.PURPOSE_BLOCK: _("stopped a processing purpose for a person (objection)"),
    Action.PURPOSE_OVERRIDE: _("recorded compelling grounds to go on with a processing purpose"),
    Action.PII_MASK: _("masked third parties in free text"),
    Action.SOURCE_REGISTER: _("registered a data source"),
    Action.SOURCE_CHECK: _("ran the inventory check of a data source"),
    Action.SUBJECT_ERASE: _("erased a person in every source"),
    Action.SUBJECT_RESIDUE_CHECK: _("checked what an erasure left in a source"),
    Action.SUBJECT_RECTIFY: _("rectified a person in every source"),
    Action.AUDIT_PURGE: _("purged old read events from the audit log"),
    Action.AUDIT_VERIFY: _("verified the audit log chain"),
    Action.PERSONAL_DATA_READ: _("read personal data"),
    Action.AUDIT_LOG_READ: _("read the audit log"),
}

_KINDS: dict[str, ObjectKind] = {}


def register_sentences(sentences: Mapping[str, Any]) -> None:
    """A domain's action names and their sentences ("gave consent to the newsletter")."""
    _SENTENCES.update({str(k): v for k, v in sentences.items()})


#: Former action names → current ones. Events keep the name they were recorded under
#: (the log is hash-chained, never rewritten); they read and filter as the current one.
_FORMER: dict[str, str] = {}


def register_former_names(former: Mapping[str, str]) -> None:
    """Action names a domain renamed (``consent:offres_semi:grant`` → ``…:offres:grant``)."""
    _FORMER.update({str(k): str(v) for k, v in former.items()})


def names_for(action: str) -> list[str]:
    """``action`` and every former name of it: what a filter on ``action`` matches."""
    return [action, *sorted(old for old, new in _FORMER.items() if new == action)]


def register_object_kind(object_type: str, label: Any, links: Links | None = None) -> None:
    _KINDS[object_type] = ObjectKind(label, links)


def known_actions() -> dict[str, Any]:
    """Every current action name and its sentence (former names excluded)."""
    return dict(_SENTENCES)


def object_kinds() -> dict[str, str]:
    return {object_type: str(kind.label) for object_type, kind in _KINDS.items()}


def sentence(action: str) -> str:
    """The action as words, or its code when no domain gave it a sentence."""
    found = _SENTENCES.get(_FORMER.get(action, action))
    return str(found) if found is not None else action


def object_label(object_type: str) -> str:
    kind = _KINDS.get(object_type)
    return str(kind.label) if kind is not None else object_type


def reverse_each(name: str, ids: Iterable[str], arg: Callable[[str], Any] = str) -> dict[str, str]:
    """``{id: url}`` for the ids the URL accepts (a malformed id gets no link)."""
    links = {}
    for object_id in ids:
        try:
            links[object_id] = reverse(name, args=[arg(object_id)])
        except (NoReverseMatch, ValueError):
            continue
    return links


def _log_links(ids: list[str]) -> dict[str, str]:
    return dict.fromkeys(ids, reverse("audit:log"))


def _person_links(ids: list[str]) -> dict[str, str]:
    return reverse_each("people:detail", ids)


register_object_kind("people.person", _("Person"), _person_links)
register_object_kind("people.personkey", _("Encryption keys of people"))
register_object_kind(
    "audit.event", _("Audit log"), lambda ids: {i: reverse("audit:log") for i in ids}
)
register_object_kind("audit.checkpoint", _("Audit log purge"))


@dataclass(frozen=True)
class Row:
    event: Event
    who: str
    what: str
    object_label: str
    object_id: str
    object_url: str | None
    #: The object's name where it has one; else its id is shown in small print.
    object_title: str = ""


#: Names the staff and API keys among actors; the accounts app registers it at start-up
#: (audit sits below accounts and may not import it).
_ACTOR_NAMERS: list[Callable[[list[tuple[str, str]]], dict[tuple[str, str], str]]] = []


def register_actor_namer(
    namer: Callable[[list[tuple[str, str]]], dict[tuple[str, str], str]],
) -> None:
    if namer not in _ACTOR_NAMERS:
        _ACTOR_NAMERS.append(namer)


def actor_names(actors: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """Logins of the staff and names of the API keys among ``(kind, id)`` actors (two
    queries, by the registered namer); look each actor up with :func:`actor_text`."""
    actors = list(actors)
    names: dict[tuple[str, str], str] = {}
    for namer in _ACTOR_NAMERS:
        names.update(namer(actors))
    return names


#: What each background task of Vigie is, in words (``Actor.system(name)`` across the apps;
#: a test finds every name used in the code).
SYSTEM_TASKS = {
    "art14 notices": _("Art. 14 notices"),
    "audit purge": _("audit log purge"),
    "double opt-in": _("sign-up confirmation"),
    "double opt-in expiry": _("expiry of unconfirmed sign-ups"),
    "mail delivery": _("e-mail delivery"),
    "pii": _("personal data keys"),
    "preferences link": _("link to the e-mail preferences"),
    "personal space link": _("link to the personal space"),
    "privacy mailbox": _("reading of the privacy mailbox"),
    "role requests": _("role requests"),
    "rights deadlines": _("deadline alerts of rights requests"),
    "rights identity expiry": _("closure of rights requests whose identity was never confirmed"),
    "identity documents": _("deletion of identity documents"),
    "residue check": _("check of what an erasure left"),
    "mailbox": _("opening of a case for a message of the privacy mailbox"),
    "portability expiry": _("deletion of expired portability exports"),
}


def actor_text(kind: str, actor_id: str, names: Mapping[tuple[str, str], str]) -> str:
    """Who acted, as a person reads it: a login, an API key's name, "Command line (demo)"."""
    if (kind, actor_id) in names:
        return names[(kind, actor_id)]
    if kind == "system":
        if not actor_id:
            return str(_("Vigie"))
        task = SYSTEM_TASKS.get(actor_id, actor_id)
        return str(_("Vigie (%(task)s)")) % {"task": task}
    if kind == "cli":
        return str(_("Command line (%(name)s)")) % {"name": actor_id}
    if kind == "anonymous":
        return str(_("Anonymous visitor"))
    if kind == "subject":
        # The person the data is about, acting themselves (portal form, confirmation
        # link, personal space); the id is theirs or their case's, not a name to show.
        return str(_("The data subject"))
    if kind == "user":
        return str(_("Deleted account #%(id)s")) % {"id": actor_id}
    if kind == "api_key":
        return str(_("Revoked API key %(prefix)s")) % {"prefix": actor_id}
    return f"{kind} {actor_id}".strip()


def rows(events: list[Event]) -> list[Row]:
    """The events of one page as rows: one query for names, one per object kind with links."""
    names = actor_names((e.actor_type, e.actor_id) for e in events)
    ids_by_type: dict[str, list[str]] = defaultdict(list)
    for e in events:
        if e.object_id:
            ids_by_type[e.object_type].append(e.object_id)
    links: dict[tuple[str, str], tuple[str, str]] = {}
    for object_type, ids in ids_by_type.items():
        kind = _KINDS.get(object_type)
        if kind is not None and kind.links is not None:
            for object_id, found in kind.links(sorted(set(ids))).items():
                links[(object_type, object_id)] = found if isinstance(found, tuple) else (found, "")
    return [
        Row(
            event=e,
            who=actor_text(e.actor_type, e.actor_id, names),
            what=sentence(e.action),
            object_label=object_label(e.object_type) if e.object_type else "",
            object_id=e.object_id,
            object_url=links.get((e.object_type, e.object_id), (None, ""))[0],
            object_title=links.get((e.object_type, e.object_id), (None, ""))[1],
        )
        for e in events
    ]
