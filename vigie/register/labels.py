"""The register's codes as words, for pages and forms (French first, English second).

The register document stores codes (``delete``, ``processor``, ``P3Y``); people read
these labels. The exports keep their own fixed French/English tables (CNIL template
headings), these follow the page's language.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

FINAL_ACTIONS = {
    "delete": pgettext_lazy("final action", "Deletion"),
    "anonymise": pgettext_lazy("final action", "Anonymisation"),
}
RECIPIENT_CATEGORIES = {
    "processor": _("Processor"),
    "independent_controller": _("Separate controller"),
    "joint_controller": _("Joint controller"),
    "authority": _("Public authority"),
}
MEASURE_KINDS = {
    "technical": _("Technical"),
    "organisational": _("Organisational"),
}
#: Where data not obtained from the person comes from (an activity's ``collected_from``,
#: the ``Person.source`` values other than the person).
INDIRECT_SOURCES = {
    "client": _("A client"),
    "partner": _("A partner"),
    "public_source": _("A public source"),
    "enrichment": _("An enrichment job"),
}
ROLES = {
    "controller": _("Controller"),
    "processor": _("Processor"),
}
SECTIONS = {
    "activities": _("Processing activity"),
    "data_categories": _("Data category"),
    "recipients": _("Recipient"),
    "security_measures": _("Security measure"),
    "subject_categories": _("Category of people"),
    "processor_register": _("Processor register line"),
    "controller": _("Controller identity"),
    "version": _("Format version"),
}
EXPORT_FORMATS = {
    "pdf": _("PDF document"),
    "xlsx": _("Spreadsheet (Excel)"),
    "csv": _("Spreadsheet (CSV)"),
    "json": _("JSON data"),
    "yaml": _("YAML (to edit and reload)"),
}
LEGAL_BASES = {
    "consent": _("Consent (Art. 6(1)(a))"),
    "contract": _("Performance of a contract (Art. 6(1)(b))"),
    "legal_obligation": _("Legal obligation (Art. 6(1)(c))"),
    "vital_interests": _("Vital interests (Art. 6(1)(d))"),
    "public_task": _("Public task (Art. 6(1)(e))"),
    "legitimate_interest": _("Legitimate interest (Art. 6(1)(f))"),
}
