"""The access package as a person reads it (R51, R50): each value under the label of
its field, never under the column's code (« Adresse e-mail », not ``email``), and the
codes Vigie stores in its own tables (recipients, categories, purposes, states) in words.

A column of another source is labelled by the person attribute its manifest maps it to
(``attribute: last_name`` → « Nom »); a column with none keeps its name, which is what
the source's owner calls it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.db.models import TextChoices

#: Vigie's own source.
BUILTIN = "vigie"


def _choices(*enums: type[TextChoices] | list[tuple[str, Any]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for enum in enums:
        pairs = enum if isinstance(enum, list) else enum.choices
        out.update({str(k): str(v) for k, v in pairs})
    return out


class Labels:
    """Labels for the fields and coded values of one package, read once."""

    def __init__(self) -> None:
        from vigie.consent.models import Kind as ConsentKind
        from vigie.consent.models import Method, SuppressionReason
        from vigie.consent.models import Status as SubscriptionStatus
        from vigie.lib.purposes import PURPOSE_OR_ALL
        from vigie.mail.models import Kind as MailKind
        from vigie.mail.models import Status as MailStatus
        from vigie.mail.outbox import TEMPLATE_LABELS
        from vigie.people.models import ContactKind, ContactUsage, SubjectType
        from vigie.people.models import Source as PersonSource
        from vigie.register.document import text
        from vigie.register.models import Recipient
        from vigie.register.services import current_document
        from vigie.rights.rectification_models import ATTRIBUTE_LABELS
        from vigie.sources.display import BUILTIN_COLUMNS, category_labels, language

        english = language() == "en"
        self.attributes = {k: str(v) for k, v in ATTRIBUTE_LABELS.items()}
        self.builtin_columns = {k: str(v) for k, v in BUILTIN_COLUMNS.items()}
        categories = category_labels()
        recipients = {r.key: r.name_en if english else r.name_fr for r in Recipient.objects.all()}
        doc = current_document() or {}
        lang = "en" if english else "fr"
        activities = {
            str(a.get("key")): text(a.get("name"), lang) for a in doc.get("activities") or []
        }
        purposes = _choices(PURPOSE_OR_ALL)

        def mapping(table: Mapping[str, str]) -> Callable[[str], str]:
            return lambda code: table.get(code, code)

        #: (table, column) → how a stored code reads.
        self.values: dict[tuple[str, str], Callable[[str], str]] = {
            ("people.person", "subject_types"): mapping(_choices(SubjectType)),
            ("people.person", "source"): mapping(_choices(PersonSource)),
            ("people.contactpoint", "kind"): mapping(_choices(ContactKind)),
            ("people.contactpoint", "usage"): mapping(_choices(ContactUsage)),
            ("consent.consentevent", "purpose"): mapping(purposes),
            ("consent.consentevent", "kind"): mapping(_choices(ConsentKind)),
            ("consent.consentevent", "method"): mapping(_choices(Method)),
            ("consent.subscription", "purpose"): mapping(purposes),
            ("consent.subscription", "status"): mapping(_choices(SubscriptionStatus)),
            ("consent.suppressionentry", "scope"): mapping(purposes),
            ("consent.suppressionentry", "reason"): mapping(_choices(SuppressionReason)),
            ("mail.message", "kind"): mapping(_choices(MailKind)),
            ("mail.message", "status"): mapping(_choices(MailStatus)),
            ("mail.message", "purpose"): mapping(purposes),
            ("mail.message", "template"): mapping({k: str(v) for k, v in TEMPLATE_LABELS.items()}),
            ("disclosures.disclosure", "recipient"): mapping(recipients),
            ("disclosures.disclosure", "categories"): mapping(categories),
            ("disclosures.disclosure", "purpose"): mapping(activities),
        }
        self.manifest_attributes = _manifest_attributes()

    def field(self, source: str, table: str, column: str) -> str:
        """The label of a column, in the current language."""
        if source == BUILTIN:
            return self.builtin_columns.get(column, column)
        attribute = self.manifest_attributes.get((source, table, column))
        return self.attributes.get(attribute, column) if attribute else column

    def value(self, source: str, table: str, column: str, raw: Any) -> Any:
        """The stored value with Vigie's codes in words (other sources' values as they are)."""
        if source != BUILTIN:
            return raw
        words = self.values.get((table, column))
        if words is None:
            return raw
        if isinstance(raw, str):
            return words(raw)
        if isinstance(raw, (list, tuple)):
            return [words(v) if isinstance(v, str) else v for v in raw]
        return raw


def _manifest_attributes() -> dict[tuple[str, str, str], str]:
    """(source, table, column) → the person attribute the column holds, per manifest."""
    from vigie.sources import services
    from vigie.sources.manifest import InvalidManifest

    out: dict[tuple[str, str, str], str] = {}
    for source in services.list_sources():
        try:
            manifest = services.source_manifest(source)
        except InvalidManifest:
            continue
        for table in manifest.tables.values():
            for column in table.columns.values():
                if column.attribute:
                    out[(source.name, table.name, column.name)] = column.attribute
    return out
