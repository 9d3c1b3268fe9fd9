"""How sources are shown to people: the audit log's objects (see ``vigie.audit.display``),
and the words the command line and pages use for what was found, erased or kept — the
register's category labels, the strategies as words, dates as JJ/MM/AAAA — in the
current language (French unless English is active)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy, pgettext_lazy
from django.utils.translation import gettext as _

from vigie.audit.display import register_object_kind
from vigie.sources.manifest import Table
from vigie.sources.types import EraseReport, KeptRow, ResidueState, Verdict

#: Vigie's own tables (the built-in source), as people read them.
BUILTIN_TABLES = {
    "people.person": gettext_lazy("People"),
    "people.organisation": gettext_lazy("Organisations"),
    "people.contactpoint": gettext_lazy("Contact points"),
    "consent.consentevent": gettext_lazy("Consent events"),
    "consent.subscription": gettext_lazy("Subscriptions"),
    "consent.suppressionentry": gettext_lazy("Suppression list"),
    "consent.segmentmember": gettext_lazy("Targeting segments"),
    "mail.message": gettext_lazy("Outbox"),
    "disclosures.disclosure": gettext_lazy("Communications to recipients"),
}

#: The columns of Vigie's own tables, as people read them (the access package shows
#: each value under its label, never under the column's code).
BUILTIN_COLUMNS = {
    "email": gettext_lazy("E-mail address"),
    "first_name": gettext_lazy("First name"),
    "last_name": gettext_lazy("Last name"),
    "phone": gettext_lazy("Telephone"),
    "job_title": gettext_lazy("Job title"),
    "organisation": gettext_lazy("Organisation"),
    "subject_types": gettext_lazy("Relationship with us"),
    "source": gettext_lazy("Origin of the data"),
    "source_name": gettext_lazy("Name of the origin"),
    "collected_at": gettext_lazy("Collected on"),
    "partner_permission_ref": gettext_lazy("Partner's permission reference"),
    "kind": pgettext_lazy("access package field", "Kind"),
    "usage": gettext_lazy("Use"),
    "value": gettext_lazy("Value"),
    "recipient": gettext_lazy("Recipient"),
    "categories": gettext_lazy("Data categories"),
    "disclosed_at": gettext_lazy("Communicated on"),
    "purpose": gettext_lazy("Purpose"),
    "legal_basis": gettext_lazy("Legal basis"),
    "reference": gettext_lazy("Reference"),
    "method": gettext_lazy("How it was given"),
    "wording": gettext_lazy("Wording shown"),
    "channel": gettext_lazy("Where"),
    "policy_version": gettext_lazy("Privacy policy version"),
    "occurred_at": gettext_lazy("Date"),
    "confirmed_at": gettext_lazy("Confirmed on"),
    "ip": gettext_lazy("IP address"),
    "proof_ref": gettext_lazy("Proof reference"),
    "status": gettext_lazy("Status"),
    "soft_opt_in": gettext_lazy("Existing customer (soft opt-in)"),
    "since": gettext_lazy("Since"),
    "pending_expires_at": gettext_lazy("Confirmation expected before"),
    "segment": gettext_lazy("Segment"),
    "added_at": gettext_lazy("Added on"),
    "template": gettext_lazy("E-mail"),
    "created_at": gettext_lazy("Created on"),
    "sent_at": gettext_lazy("Sent on"),
    "scope": gettext_lazy("Scope"),
    "reason": gettext_lazy("Reason"),
    "lifted_at": gettext_lazy("Lifted on"),
}

#: What an erasure does to a column, in words (the manifest's ``erase``).
STRATEGY_LABELS = {
    "delete_row": gettext_lazy("Deletion"),
    "mask": gettext_lazy("Masking"),
    "null": gettext_lazy("Clearing"),
    "hash": gettext_lazy("Hashing"),
}


def language() -> str:
    """``"en"`` when English is active, else ``"fr"`` (Vigie's default)."""
    return "en" if (get_language() or "fr").startswith("en") else "fr"


def day(value: dt.date | None) -> str:
    return f"{value:%d/%m/%Y}" if value else _("date unknown")


def category_labels() -> dict[str, str]:
    """The register's data categories by key, labelled in the current language."""
    from vigie.register.models import DataCategory

    english = language() == "en"
    return {
        c.key: c.label_en if english else c.label_fr
        for c in DataCategory.objects.filter(in_register=True)
    }


def source_names() -> dict[str, tuple[str, dict[str, str]]]:
    """Each source's label and its tables' labels, in the current language (Vigie's own
    store first; a stored manifest that no longer parses is shown by its names)."""
    from vigie.sources import services
    from vigie.sources.manifest import InvalidManifest

    lang = language()
    names: dict[str, tuple[str, dict[str, str]]] = {
        "vigie": (_("Vigie's own store"), {k: str(v) for k, v in BUILTIN_TABLES.items()}),
    }
    for source in services.list_sources():
        try:
            manifest = services.source_manifest(source)
        except InvalidManifest:
            continue
        names[source.name] = (
            manifest.label.get(lang, source.name),
            {name: table.label_text(lang) for name, table in manifest.tables.items()},
        )
    return names


def kept_text(ground: str, ends_on: dt.date | None) -> str:
    """« Conservation (C. com. L123-22, jusqu'au 31/12/2037) »."""
    if ends_on is None:
        return _("Kept (%(ground)s)") % {"ground": ground}
    return _("Kept (%(ground)s, until %(date)s)") % {"ground": ground, "date": day(ends_on)}


def strategy_text(
    table: Table | None,
    category: str,
    kept: Iterable[KeptRow] = (),
    grounds: dict[str, str] | None = None,
) -> str:
    """What an erasure does (or did) to the rows of ``table`` in ``category``: the rows an
    erasure kept with their ground and latest end date; else the manifest's strategies of
    the category's columns in words (« Suppression », « Masquage, Effacement »)."""
    kept = list(kept)
    if kept:
        ends = [k.ends_on for k in kept]
        latest = None if None in ends else max(e for e in ends if e is not None)
        return kept_text(kept[0].ground, latest)
    if table is None:
        return ""
    strategies = {c.erase for c in table.personal_columns if c.category == category}
    if "keep" in strategies:
        rule = table.retention.category if table.retention else category
        return kept_text((grounds or {}).get(rule, rule), None)
    if "delete_row" in strategies:
        return str(STRATEGY_LABELS["delete_row"])
    return ", ".join(str(STRATEGY_LABELS[s]) for s in STRATEGY_LABELS if s in strategies)


def residue_statement(report: EraseReport) -> str:
    """What an erase report may say of what is left, as a letter or a terminal says it:
    never "no residue" while the check is pending (``EraseReport.verdict``)."""
    verdict = report.verdict
    if report.residue_state is ResidueState.PENDING:
        return _("residue check in progress")
    if verdict is Verdict.NOTHING_LEFT:
        return _(
            "residue check: no residue (no identifier of the person left in the described tables)"
        )
    if verdict is Verdict.NOT_CHECKED:
        return _("residue check not run")
    if report.residue:
        return _("residue check: %(count)d column(s) still hold an identifier of the person") % {
            "count": len(report.residue)
        }
    return _("residue check: nothing left in the described tables, but the erasure is incomplete")


def _links(ids: list[str]) -> dict[str, str | tuple[str, str]]:
    from vigie.sources.manifest import InvalidManifest
    from vigie.sources.models import Source
    from vigie.sources.services import source_manifest

    lang = language()
    base = reverse("sources:map")
    links: dict[str, str | tuple[str, str]] = {}
    for source in Source.objects.filter(pk__in=[i for i in ids if i.isdigit()]):
        try:
            title = source_manifest(source).label.get(lang, source.name)
        except InvalidManifest:
            title = source.name
        links[str(source.pk)] = (f"{base}#source-{source.name}", title)
    return links


def register_audit_display() -> None:
    register_object_kind("sources.source", gettext_lazy("Data source"), _links)
    # A subject is named by a keyed hash of their identifiers, never by the identifiers.
    register_object_kind("sources.subject", gettext_lazy("Person (by a keyed reference)"))
