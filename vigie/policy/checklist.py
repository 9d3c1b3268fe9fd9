"""The R7 checklist: what a published privacy policy must say (Art. 13 and 14 GDPR).

Each item is data: an id, its label in French and English, and a predicate over the
text of one language and the register document the text was rendered from. A
version is published only when every item holds in *both* languages; otherwise the
refusal names the missing items and the version stays a draft (R7).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from vigie.policy import rendering
from vigie.policy.plaintext import PolicyText, normalise
from vigie.register.document import text
from vigie.register.exports import LEGAL_BASIS_LABELS
from vigie.register.geography import ADEQUACY

if TYPE_CHECKING:
    from vigie.policy.models import PolicyVersion

Doc = dict[str, Any]
Predicate = Callable[[PolicyText, Doc, str], bool]

# R79: the CNIL's details, the same in both languages.
CNIL_BLOCK = (
    "3 Place de Fontenoy",
    "TSA 80715",
    "75334 PARIS CEDEX 07",
    "01 53 73 22 22",
    "cnil.fr",
)
NO_TRANSFER = {"fr": "aucun transfert hors UE", "en": "no transfer outside the EEA"}
ADEQUACY_PHRASE = {"fr": "décision d'adéquation", "en": "adequacy decision"}
ARCHIVE_NONE = {"fr": "Aucun", "en": "None"}
FINAL_ACTIONS = {
    "fr": {"delete": "Suppression", "anonymise": "Anonymisation"},
    "en": {"delete": "Deleted", "anonymise": "Anonymised"},
}


@dataclass(frozen=True)
class Item:
    id: str
    label_fr: str
    label_en: str
    check: Predicate

    def label(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label_fr


def _fold(value: str) -> str:
    # Typographic and straight apostrophes are the same letter to a reader.
    return normalise(value).replace("\u2019", "'").casefold()


def _has(haystack: str, *needles: str) -> bool:
    """Every needle is non-empty and appears in ``haystack`` (case and spacing ignored)."""
    folded = _fold(haystack)
    return all(needle.strip() and _fold(needle) in folded for needle in needles)


def _phrase(section: str, fr: str, en: str) -> Predicate:
    def check(page: PolicyText, doc: Doc, lang: str) -> bool:
        return _has(page.section(section), en if lang == "en" else fr)

    return check


def _right(element: str, fr: str, en: str) -> Predicate:
    """One right, stated in its own list item (``id=element``) of the rights section.

    The item is read alone: another right's item mentioning the same word (the
    post-mortem item says "erasure") does not stand in for a missing one.
    """

    def check(page: PolicyText, doc: Doc, lang: str) -> bool:
        item = page.section(element)
        return (
            bool(item.strip())
            and _has(item, en if lang == "en" else fr)
            and _has(page.section("rights"), item)
        )

    return check


def _identity(page: PolicyText, doc: Doc, lang: str) -> bool:
    controller = doc.get("controller") or {}
    return _has(page.section("identity"), controller.get("name", ""), controller.get("address", ""))


def _contact(page: PolicyText, doc: Doc, lang: str) -> bool:
    """Art. 13(1)(a): how to reach the controller, by e-mail and by post."""
    controller = doc.get("controller") or {}
    return _has(page.section("contact"), controller.get("email", ""), controller.get("address", ""))


def _purposes(page: PolicyText, doc: Doc, lang: str) -> bool:
    """Art. 13(1)(c): every purpose, and the label of every legal basis used."""
    section = page.section("purposes")
    if not section:
        return False
    needles: list[str] = []
    for activity in rendering.controller_activities(doc):
        for purpose in activity.get("purposes") or []:
            needles.append(text(purpose.get("text"), lang))
            needles.append(LEGAL_BASIS_LABELS[lang].get(purpose.get("legal_basis"), "?"))
    return _has(section, *needles)


def _interests(page: PolicyText, doc: Doc, lang: str) -> bool:
    """Art. 13(1)(d): the legitimate interests relied on, each spelled out."""
    section = page.section("legitimate-interests")
    needles = [
        text(purpose.get("legitimate_interest"), lang)
        for activity in rendering.controller_activities(doc)
        for purpose in activity.get("purposes") or []
        if purpose.get("legal_basis") == "legitimate_interest"
    ]
    return bool(section) and _has(section, *needles)


def _sources(page: PolicyText, doc: Doc, lang: str) -> bool:
    """Art. 14(2)(f): where the data comes from."""
    section = page.section("sources")
    needles = [text(a.get("data_sources"), lang) for a in rendering.controller_activities(doc)]
    return bool(section) and _has(section, *needles)


def _recipients(page: PolicyText, doc: Doc, lang: str) -> bool:
    """Art. 13(1)(e): every recipient of the controller's processing."""
    section = page.section("recipients")
    index = {r["key"]: r for r in doc.get("recipients") or []}
    needles = [text(index[key]["name"], lang) for key in rendering.recipient_keys(doc)]
    return bool(section) and _has(section, *needles)


def _transfers(page: PolicyText, doc: Doc, lang: str) -> bool:
    """Art. 13(1)(f): each transfer outside the EEA with its country and safeguard, or none.

    Each transfer is its own list item (``id=transfer-N``, in register order) naming
    the recipient, the country and the safeguard (or the adequacy decision).
    """
    section = page.section("transfers")
    found = rendering.transfers(doc, lang)
    if not found:
        return _has(section, NO_TRANSFER[lang])
    if not _has(section, "transfer" if lang == "en" else "transfert"):
        return False
    for index, transfer in enumerate(found, start=1):
        item = page.section(f"transfer-{index}")
        country = transfer["country"]
        safeguard = transfer["safeguard"] or (ADEQUACY_PHRASE[lang] if country in ADEQUACY else "")
        if not (
            _has(section, item)
            and _has(item, transfer["recipient"], f"({country})" if country else "", safeguard)
        ):
            return False
    return True


def _retention(page: PolicyText, doc: Doc, lang: str) -> bool:
    """Art. 13(2)(a), R7: the retention rule of *every* data category, every column of it.

    Each category is a row (``id=retention-KEY``) whose cells have their own ids, so
    a blank cell fails even when the same words appear in another row.
    """
    section = page.section("retention")
    if not section:
        return False
    for row in rendering.retention_rows(doc, lang):
        prefix = f"retention-{row['key']}"
        cells = {
            "label": row["label"],
            "start": row["start_event"],
            "active": row["active"],
            # Without an archive the cell still says so ("Aucun" / "None").
            "archive": row["archive"] or ARCHIVE_NONE[lang],
            "end": FINAL_ACTIONS[lang].get(row["final_action"], FINAL_ACTIONS[lang]["delete"]),
            "basis": row["legal_reference"],
        }
        if not _has(section, page.section(prefix)):
            return False
        if not all(_has(page.section(f"{prefix}-{cell}"), v) for cell, v in cells.items()):
            return False
    return True


def _security(page: PolicyText, doc: Doc, lang: str) -> bool:
    """R7, §L6: the complete list of security measures, none truncated away."""
    section = page.section("security")
    needles = [text(m.get("label"), lang) for m in doc.get("security_measures") or []]
    return bool(section) and _has(section, *needles)


def _automated(page: PolicyText, doc: Doc, lang: str) -> bool:
    """Art. 13(2)(f): the automated decisions, or the statement that there are none."""
    section = page.section("automated-decisions")
    automated = [
        text(a.get("name"), lang)
        for a in rendering.controller_activities(doc)
        if a.get("automated_decision")
    ]
    if not automated:
        return _has(
            section, "no automated decision" if lang == "en" else "aucune décision automatisée"
        )
    return _has(
        section, "automated decision" if lang == "en" else "décision automatisée", *automated
    )


def _complaint(page: PolicyText, doc: Doc, lang: str) -> bool:
    """Art. 13(2)(d), R79: the CNIL block, postal address, phone and online complaint.

    The block is fixed (R79): it is checked against the CNIL's own details, not the
    register's, so a wrong authority in the register cannot be published.
    """
    return _has(page.section("complaint"), *CNIL_BLOCK)


ITEMS: list[Item] = [
    Item(
        "identity", "Identité du responsable du traitement", "Identity of the controller", _identity
    ),
    Item(
        "purposes",
        "Finalités et base légale de chacune",
        "Purposes and the legal basis of each",
        _purposes,
    ),
    Item(
        "legitimate-interests",
        "Intérêts légitimes poursuivis",
        "Legitimate interests pursued",
        _interests,
    ),
    Item("data-sources", "Sources des données", "Sources of the data", _sources),
    Item("recipients", "Destinataires des données", "Recipients of the data", _recipients),
    Item(
        "transfers",
        "Transferts hors UE (ou « aucun transfert »)",
        "Transfers outside the EEA (or none)",
        _transfers,
    ),
    Item(
        "retention",
        "Durée de conservation de chaque catégorie de données",
        "Retention period of every data category",
        _retention,
    ),
    Item(
        "security-measures",
        "Mesures de sécurité (liste complète)",
        "Security measures (complete list)",
        _security,
    ),
    Item(
        "automated-decision",
        "Décision automatisée (ou son absence)",
        "Automated decisions (or their absence)",
        _automated,
    ),
    Item(
        "right-access",
        "Droit d'accès",
        "Right of access",
        _right("right-access", "droit d'accès", "right of access"),
    ),
    Item(
        "right-rectification",
        "Droit de rectification",
        "Right to rectification",
        _right("right-rectification", "rectification", "rectification"),
    ),
    Item(
        "right-erasure",
        "Droit à l'effacement",
        "Right to erasure",
        _right("right-erasure", "effacement", "erasure"),
    ),
    Item(
        "right-restriction",
        "Droit à la limitation du traitement",
        "Right to restriction of processing",
        _right("right-restriction", "limitation", "restriction"),
    ),
    Item(
        "right-objection",
        "Droit d'opposition",
        "Right to object",
        _right("right-objection", "opposition", "right to object"),
    ),
    Item(
        "right-portability",
        "Droit à la portabilité",
        "Right to data portability",
        _right("right-portability", "portabilité", "portability"),
    ),
    Item(
        "consent-withdrawal",
        "Droit de retirer son consentement",
        "Right to withdraw consent",
        _right("right-withdraw-consent", "retirer votre consentement", "withdraw your consent"),
    ),
    Item(
        "post-mortem",
        "Directives post mortem (loi Informatique et Libertés, art. 85)",
        "Post-mortem directives (French Data Protection Act, Art. 85)",
        _right("right-post-mortem", "après votre décès", "after your death"),
    ),
    Item(
        "answer-deadline",
        "Délai de réponse d'un mois",
        "One-month answer deadline",
        _phrase("exercise", "un mois", "one month"),
    ),
    Item(
        "cnil-complaint",
        "Réclamation auprès de la CNIL (adresse, téléphone, en ligne)",
        "Complaint to the CNIL (address, phone, online)",
        _complaint,
    ),
    Item(
        "contact",
        "Contact par e-mail et par courrier",
        "Contact by e-mail and by post",
        _contact,
    ),
    Item(
        "changes",
        "Information en cas de modification",
        "How changes are announced",
        _phrase("changes", "modification", "change"),
    ),
]


@dataclass(frozen=True)
class Result:
    item: Item
    ok_fr: bool
    ok_en: bool

    @property
    def ok(self) -> bool:
        return self.ok_fr and self.ok_en

    @property
    def failing_languages(self) -> list[str]:
        return [lang for lang, ok in (("fr", self.ok_fr), ("en", self.ok_en)) if not ok]


def evaluate(body_fr: str, body_en: str, doc: Doc) -> list[Result]:
    """Check every item against both texts."""
    fr, en = PolicyText(body_fr), PolicyText(body_en)
    return [Result(item, item.check(fr, doc, "fr"), item.check(en, doc, "en")) for item in ITEMS]


def register_document(version: PolicyVersion) -> Doc:
    """The register document the version was rendered from."""
    from vigie.register.models import Revision

    revision = Revision.objects.filter(number=version.register_revision).first()
    if revision is None:
        # Revisions are append-only; this only happens on a tampered database.
        raise LookupError(f"register revision {version.register_revision} not found")
    return revision.document


def checklist_status(version: PolicyVersion) -> list[Result]:
    return evaluate(version.body_fr, version.body_en, register_document(version))


def missing_items(version: PolicyVersion) -> list[Item]:
    """The R7 items the version's text misses, in French or in English."""
    return [result.item for result in checklist_status(version) if not result.ok]
