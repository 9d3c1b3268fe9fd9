"""The policy text is generated from the register, in French and English (R7)."""

from __future__ import annotations

import copy
import re

import pytest

from tests.register.conftest import MINIMAL
from vigie.policy.checklist import evaluate
from vigie.policy.plaintext import PolicyText
from vigie.policy.rendering import render_body
from vigie.register.document import validate_document

CNIL = [
    "3 Place de Fontenoy – TSA 80715 – 75334 PARIS CEDEX 07",
    "01 53 73 22 22",
    "https://www.cnil.fr/fr/plaintes",
]


def rendered(lang: str, doc: dict | None = None) -> PolicyText:
    return PolicyText(render_body(doc or copy.deepcopy(MINIMAL), lang))


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_it_names_the_controller_with_its_postal_address_and_email(lang: str) -> None:
    page = rendered(lang)
    assert "SEMI INFORMATIQUE, 825 Rue André Ampère, 13290 Aix-en-Provence" in page.section(
        "identity"
    )
    contact = page.section("contact")
    assert "info.rgpd@semi-informatique.com" in contact
    assert "825 Rue André Ampère, 13290 Aix-en-Provence" in contact


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_it_has_the_cnil_complaint_block(lang: str) -> None:
    complaint = rendered(lang).section("complaint")
    for part in CNIL:
        assert part in complaint


@pytest.mark.parametrize(
    ("lang", "rows"),
    [
        (
            "fr",
            [
                "Identité et coordonnées | Fin de la relation | Relation + 3 ans | Aucun "
                "| Suppression | Art. 5(1)(e) RGPD",
                "Facturation | Clôture de l'exercice | Jusqu'au paiement "
                "| 10 ans après la clôture de l'exercice | Suppression | C. com. L123-22",
            ],
        ),
        (
            "en",
            [
                "Identity and contact details | EN Fin de la relation | Relationship + 3 years "
                "| None | Deleted "
                "| Art. 5(1)(e) RGPD",
                "Billing | EN Clôture de l'exercice | EN Jusqu'au paiement "
                "| EN 10 ans après la clôture de l'exercice | Deleted | C. com. L123-22",
            ],
        ),
    ],
)
def test_it_has_one_retention_line_per_data_category_with_every_column(
    lang: str, rows: list[str]
) -> None:
    html = render_body(copy.deepcopy(MINIMAL), lang)
    assert len(re.findall(r'<tr id="retention-', html)) == len(MINIMAL["data_categories"])
    lines = PolicyText(html).lines
    for row in rows:
        assert row in lines


@pytest.mark.parametrize(
    ("lang", "phrases"),
    [
        (
            "fr",
            [
                "Droit d'accès",
                "Droit de rectification",
                "Droit à l'effacement",
                "Droit à la limitation du traitement",
                "Droit d'opposition",
                "Droit à la portabilité",
                "retirer votre consentement à tout moment",
                "après votre décès (article 85 de la loi Informatique et Libertés)",
            ],
        ),
        (
            "en",
            [
                "Right of access",
                "Right to rectification",
                "Right to erasure",
                "Right to restriction of processing",
                "Right to object",
                "Right to data portability",
                "withdraw your consent at any time",
                "after your death (Article 85 of the French Data Protection Act",
            ],
        ),
    ],
)
def test_it_lists_every_right_including_portability_and_restriction(
    lang: str, phrases: list[str]
) -> None:
    rights = rendered(lang).section("rights")
    for phrase in phrases:
        assert phrase in rights


@pytest.mark.parametrize(
    ("lang", "deadline", "extension"),
    [
        ("fr", "dans un délai d'un mois", "prolongé de deux mois"),
        ("en", "within one month", "extended by two further months"),
    ],
)
def test_it_gives_the_one_month_deadline_and_its_extension(
    lang: str, deadline: str, extension: str
) -> None:
    exercise = rendered(lang).section("exercise")
    assert deadline in exercise
    assert extension in exercise
    assert "12(3)" in exercise and "12(6)" in exercise


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("fr", ["Exécution d'un contrat (art. 6(1)(b))", "Intérêt légitime (art. 6(1)(f))"]),
        ("en", ["Performance of a contract (Art. 6(1)(b))", "Legitimate interest (Art. 6(1)(f))"]),
    ],
)
def test_each_purpose_shows_its_legal_basis_and_the_interest_relied_on(
    lang: str, expected: list[str]
) -> None:
    page = rendered(lang)
    for label in expected:
        assert label in page.section("purposes")
    interest = "Relation commerciale" if lang == "fr" else "EN Relation commerciale"
    assert interest in page.section("legitimate-interests")


def test_only_the_controllers_activities_are_described_as_purposes() -> None:
    page = rendered("fr")
    assert "Gestion des clients" in page.section("purposes")
    assert "Maintenance chez les clients" not in page.section("purposes")
    # The processor activity is named, with the client as controller (§L7).
    assert "Maintenance chez les clients" in page.section("identity")


@pytest.mark.parametrize(
    ("lang", "phrase"),
    [("fr", "Aucun transfert hors UE"), ("en", "No transfer outside the EEA")],
)
def test_without_transfers_it_says_there_are_none(lang: str, phrase: str) -> None:
    assert phrase in rendered(lang).section("transfers")


def test_a_transfer_outside_the_eea_is_described_with_its_safeguard() -> None:
    doc = copy.deepcopy(MINIMAL)
    doc["recipients"].append(
        {
            "key": "crm",
            "name": {"fr": "Éditeur du CRM", "en": "CRM vendor"},
            "category": "processor",
            "purposes": {"fr": "Gestion de la relation client", "en": "Client relationship"},
            "data_categories": ["identity-contact"],
            "country": "US",
            "transfer_safeguard": "SCC: décision (UE) 2021/914",
            "contract_reference": "DPA-CRM",
            "privacy_contact": "privacy@crm.example",
            "source": "proposed default",
        }
    )
    activity = doc["activities"][0]
    activity["recipients"] = ["datacenter", "crm"]
    activity["transfers"] = [
        {"recipient": "crm", "country": "US", "safeguard": "SCC: décision (UE) 2021/914"}
    ]
    assert validate_document(doc) == []
    fr, en = render_body(doc, "fr"), render_body(doc, "en")
    transfers = PolicyText(fr).section("transfers")
    assert "Éditeur du CRM (US) : SCC: décision (UE) 2021/914" in transfers
    assert "Aucun transfert" not in transfers
    assert "CRM vendor (US)" in PolicyText(en).section("transfers")
    assert all(result.ok for result in evaluate(fr, en, doc))


@pytest.mark.parametrize(
    ("lang", "phrase"),
    [("fr", "aucune décision automatisée"), ("en", "no automated decision")],
)
def test_it_states_there_is_no_automated_decision(lang: str, phrase: str) -> None:
    assert phrase in rendered(lang).section("automated-decisions").lower()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_it_lists_every_security_measure_and_the_data_sources(lang: str) -> None:
    page = rendered(lang)
    prefix = "" if lang == "fr" else "EN "
    security = page.section("security")
    assert f"{prefix}Chiffrement" in security and f"{prefix}Formation" in security
    assert f"{prefix}La personne" in page.section("sources")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_section_has_a_stable_id(lang: str) -> None:
    page = rendered(lang)
    for section in (
        "identity", "purposes", "legitimate-interests", "sources", "recipients", "transfers",
        "retention", "security", "automated-decisions", "rights", "exercise", "complaint",
        "contact", "changes",
    ):  # fmt: skip
        assert page.has_section(section), section


def test_register_text_is_escaped_not_injected() -> None:
    doc = copy.deepcopy(MINIMAL)
    doc["security_measures"][0]["label"] = {"fr": "<script>x</script>", "en": "a & b"}
    assert "<script>" not in render_body(doc, "fr")
    assert "a &amp; b" in render_body(doc, "en")


def test_the_whole_checklist_holds_for_the_minimal_register() -> None:
    doc = copy.deepcopy(MINIMAL)
    results = evaluate(render_body(doc, "fr"), render_body(doc, "en"), doc)
    assert [r.item.id for r in results if not r.ok] == []
