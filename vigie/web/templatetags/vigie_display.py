"""Display filters shared by every back-office page: codes shown as words.

A privacy lead reads « Suppression », « Sous-traitant », « 3 ans » and 06/12/2026,
never ``delete``, ``processor``, ``P3Y`` or an ISO timestamp. Every code that a
page may show goes through one of these filters; the browser walk test
(``tests/browser/test_backoffice_walk.py``) fails on a code that slips through.
Unknown codes are shown as they are rather than hidden: a new code must be seen
to be labelled.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from vigie.register.document import DURATION, is_na
from vigie.register.document import text as bilingual_text
from vigie.register.labels import FINAL_ACTIONS, MEASURE_KINDS, RECIPIENT_CATEGORIES, SECTIONS
from vigie.register.labels import ROLES as REGISTER_ROLES

register = template.Library()

_EDIT_REASON = re.compile(r"^edit (?P<section>[a-z_]+)\[(?P<key>[a-z0-9-]+)\]$")


def _language() -> str:
    return "en" if (get_language() or "fr").startswith("en") else "fr"


def _label(labels: dict[str, Any], code: Any) -> str:
    if code is None or code == "":
        return ""
    return str(labels.get(str(code), code))


@register.filter
def final_action(code: str) -> str:
    """``delete`` → « Suppression »."""
    return _label(FINAL_ACTIONS, code)


@register.filter
def recipient_category(code: str) -> str:
    """``processor`` → « Sous-traitant » (a recipient's category in the register)."""
    return _label(RECIPIENT_CATEGORIES, code)


@register.filter
def register_role(code: str) -> str:
    """``controller`` → « Responsable de traitement » (the company's role in an activity)."""
    return _label(REGISTER_ROLES, code)


@register.filter
def measure_kind(code: str) -> str:
    return _label(MEASURE_KINDS, code)


@register.filter
def legal_basis(code: str) -> str:
    """``legitimate_interest`` → « Intérêt légitime (art. 6(1)(f)) »."""
    from vigie.register.exports import LEGAL_BASIS_LABELS

    return _label(LEGAL_BASIS_LABELS[_language()], code)


@register.filter
def legal_bases(purposes: list[dict[str, Any]]) -> str:
    """The distinct legal bases of an activity's purposes, as words."""
    seen = dict.fromkeys(p.get("legal_basis") for p in purposes or [])
    return ", ".join(legal_basis(b) for b in seen if b)


@register.filter
def duration(value: Any) -> str:
    """An ISO 8601 period as words: ``P3Y`` → « 3 ans », ``P1Y6M`` → « 1 an et 6 mois »."""
    if not isinstance(value, str):
        return "" if value is None else str(value)
    match = DURATION.match(value)
    if match is None or value == "P":
        return value
    years, months, weeks, days = (int(g or 0) for g in match.groups())
    parts = []
    if years:
        parts.append(ngettext("%(n)d year", "%(n)d years", years) % {"n": years})
    if months:
        parts.append(ngettext("%(n)d month", "%(n)d months", months) % {"n": months})
    if weeks:
        parts.append(ngettext("%(n)d week", "%(n)d weeks", weeks) % {"n": weeks})
    if days:
        parts.append(ngettext("%(n)d day", "%(n)d days", days) % {"n": days})
    if not parts:
        return _("no time")
    if len(parts) == 1:
        return parts[0]
    return _("%(first)s and %(last)s") % {"first": ", ".join(parts[:-1]), "last": parts[-1]}


@register.filter
def prose(value: Any) -> str:
    """A register value as a sentence: "N/A: reason" → « Sans objet : reason »."""
    if is_na(value):
        reason = str(value).split(":", 1)[1].strip()
        return _("Not applicable: %(reason)s") % {"reason": reason}
    return "" if value is None else str(value)


@register.filter
def bilingual(value: Any) -> str:
    """The page's language of a {fr, en} register value; "N/A: …" as prose."""
    return prose(bilingual_text(value, _language()))


@register.filter
def day(value: date | datetime | None) -> str:
    """A date as JJ/MM/AAAA (Europe/Paris for a moment in time)."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return format_date(value, "d/m/Y")


@register.filter
def moment(value: datetime | None) -> str:
    """A moment as JJ/MM/AAAA HH:MM, Europe/Paris."""
    if value is None or value == "":
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return format_date(value, "d/m/Y H:i")


@register.filter
def purpose(code: str) -> str:
    """A marketing purpose as its name (``offres`` → « Nos offres »)."""
    from vigie.lib.purposes import PURPOSE_OR_ALL

    return _label(dict(PURPOSE_OR_ALL), code)


@register.filter
def consent_kind(code: str) -> str:
    from vigie.consent.models import Kind

    return _label(dict(Kind.choices), code)


@register.filter
def consent_method(code: str) -> str:
    from vigie.consent.models import Method

    return _label(dict(Method.choices), code)


@register.filter
def consent_status(code: str) -> str:
    from vigie.consent.models import Status

    return _label(dict(Status.choices), code)


@register.filter
def country(code: str) -> str:
    """``FR`` → « France ». The names come with phonenumbers' locale data (already a
    dependency), which has every ISO 3166 region in French and English; an unknown
    code is shown as it is."""
    from phonenumbers.geocoder import _region_display_name

    if not code:
        return ""
    return _region_display_name(str(code).upper(), _language()) or str(code)


@register.filter
def get_item(mapping: Mapping[Any, Any], key: Any) -> Any:
    """``mapping[key]`` in a template (a looked-up name, a label); empty when absent."""
    return mapping.get(key, "") if mapping else ""


@register.filter
def register_section(code: str) -> str:
    """``data_categories`` → « Catégorie de données »."""
    return _label(SECTIONS, code)


@register.filter
def register_path(path: str) -> str:
    """Where a revision changed the register, in words: ``data_categories.x.retention``
    → « Catégorie de données x » (the full path is shown beside it in small print)."""
    section, _sep, rest = str(path).partition(".")
    entry = rest.split(".", 1)[0]
    label = register_section(section)
    if not entry:
        return label
    return _("%(section)s “%(entry)s”") % {"section": label, "entry": entry}


#: Which filter shows a register value, by the field's name (the path's last part).
_FIELD_DISPLAY = {
    "final_action": final_action,
    "legal_basis": legal_basis,
    "role": register_role,
    "kind": measure_kind,
    "active_duration": duration,
    "archive_duration": duration,
    "country": country,
}


@register.filter
def register_value(value: Any, path: str) -> str:
    """A value of the register at ``path`` (a revision's diff) as a person reads it."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, dict) and set(value) <= {"fr", "en"}:
        return bilingual(value)
    if isinstance(value, list):
        return ngettext("%(n)d entry", "%(n)d entries", len(value)) % {"n": len(value)}
    if isinstance(value, dict):
        return ngettext("%(n)d field", "%(n)d fields", len(value)) % {"n": len(value)}
    field = str(path).rsplit(".", 1)[-1]
    if field == "category" and ".recipients." in f".{path}":
        return recipient_category(value)
    show = _FIELD_DISPLAY.get(field)
    return show(value) if show is not None else prose(value)


@register.filter
def revision_reason(reason: str) -> str:
    """The reasons Vigie writes itself ("load FILE", "edit SECTION[KEY]") as words."""
    if reason.startswith("load ") and " " not in reason[5:]:
        return _("Loaded from the file %(file)s") % {"file": reason[5:]}
    match = _EDIT_REASON.match(reason)
    if match:
        return _("%(section)s “%(key)s” edited") % {
            "section": register_section(match["section"]),
            "key": match["key"],
        }
    return reason


@register.filter
def collector(value: str) -> str:
    """Who collected a consent ("cli:demo", "subject", "api_key:ab12") as words."""
    from vigie.audit.display import actor_text

    kind, _sep, ident = str(value or "").partition(":")
    if kind == "subject":
        return str(_("the person themselves"))
    return actor_text(kind, ident, {})


@register.filter
def actor(kind: str, actor_id: Any) -> str:
    """``{{ version.author_type|actor:version.author_id }}``: a login or "Command line (demo)"."""
    from vigie.audit.display import actor_names, actor_text

    ident = "" if actor_id is None else str(actor_id)
    return actor_text(str(kind), ident, actor_names([(str(kind), ident)]))


@register.filter
def in_language(item: Any, field: str) -> str:
    """``{{ item|in_language:"label" }}``: ``item.label_fr`` or ``item.label_en``, per the page."""
    return str(getattr(item, f"{field}_{_language()}", "") or getattr(item, f"{field}_fr", ""))


@register.filter
def permission_labels(names: list[str]) -> str:
    """API key scopes as words (« Voir les personnes, Lire le registre »)."""
    from vigie.accounts.labels import permission_label

    return ", ".join(permission_label(n) for n in names or [])


@register.filter
def instant(value: datetime | None) -> str:
    """A moment to the second, JJ/MM/AAAA HH:MM:SS (Europe/Paris): for proof."""
    if value is None or value == "":
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return format_date(value, "d/m/Y H:i:s")
