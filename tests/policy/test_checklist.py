"""The R7 checklist finds each item, in both languages, or names what is missing."""

from __future__ import annotations

import copy
import re

import pytest

from tests.register.conftest import MINIMAL
from vigie.policy.checklist import ITEMS, evaluate
from vigie.policy.plaintext import PolicyText
from vigie.policy.rendering import render_body


def bodies() -> tuple[str, str, dict]:
    doc = copy.deepcopy(MINIMAL)
    return render_body(doc, "fr"), render_body(doc, "en"), doc


def failing(fr: str, en: str, doc: dict) -> dict[str, list[str]]:
    return {r.item.id: r.failing_languages for r in evaluate(fr, en, doc) if not r.ok}


def drop_section(html: str, section: str) -> str:
    return re.sub(rf'<section id="{section}">.*?</section>', "", html, flags=re.S)


def test_item_ids_are_unique_and_labelled_in_both_languages() -> None:
    assert len({item.id for item in ITEMS}) == len(ITEMS)
    assert all(item.label_fr and item.label_en for item in ITEMS)


def test_a_text_without_the_cnil_block_fails_the_complaint_item() -> None:
    fr, en, doc = bodies()
    assert failing(drop_section(fr, "complaint"), en, doc) == {"cnil-complaint": ["fr"]}


def test_the_cnil_phone_alone_missing_is_enough_to_fail() -> None:
    fr, en, doc = bodies()
    en = en.replace("01 53 73 22 22", "")
    assert failing(fr, en, doc) == {"cnil-complaint": ["en"]}


def test_a_data_category_missing_from_the_retention_table_fails() -> None:
    fr, en, doc = bodies()
    fr = re.sub(r'<tr id="retention-billing">.*?</tr>', "", fr, flags=re.S)
    assert failing(fr, en, doc) == {"retention": ["fr"]}


def test_a_truncated_security_measure_list_fails() -> None:
    fr, en, doc = bodies()
    # §L6: the seed policy's "Chiffrement des" line lost its end.
    doc["security_measures"][1]["label"]["fr"] = "Formation du personnel"
    assert failing(fr, en, doc) == {"security-measures": ["fr"]}


@pytest.mark.parametrize(
    ("needle", "item"),
    [
        ("Droit à la portabilité", "right-portability"),
        ("Droit à la limitation du traitement", "right-restriction"),
        ("retirer votre consentement", "consent-withdrawal"),
        ("dans un délai d'un mois", "answer-deadline"),
        ("après votre décès", "post-mortem"),
    ],
)
def test_each_right_and_the_deadline_are_checked_in_french(needle: str, item: str) -> None:
    fr, en, doc = bodies()
    assert needle in fr
    assert failing(fr.replace(needle, "…"), en, doc) == {item: ["fr"]}


@pytest.mark.parametrize(
    ("needle", "item"),
    [
        ("Right to data portability", "right-portability"),
        ("Right to restriction of processing", "right-restriction"),
        ("withdraw your consent", "consent-withdrawal"),
        ("within one month", "answer-deadline"),
        ("no automated decision", "automated-decision"),
    ],
)
def test_each_right_and_the_deadline_are_checked_in_english(needle: str, item: str) -> None:
    fr, en, doc = bodies()
    assert needle in en
    assert failing(fr, en.replace(needle, "…"), doc) == {item: ["en"]}


def test_an_automated_decision_must_be_named_when_the_register_has_one() -> None:
    fr, en, doc = bodies()
    doc["activities"][0]["automated_decision"] = True
    assert failing(fr, en, doc) == {"automated-decision": ["fr", "en"]}
    fr, en = render_body(doc, "fr"), render_body(doc, "en")
    assert failing(fr, en, doc) == {}
    assert "décision automatisée : Gestion des clients" in fr


def test_a_legal_basis_missing_from_the_purposes_fails() -> None:
    fr, en, doc = bodies()
    fr = fr.replace("Intérêt légitime (art. 6(1)(f))", "Intérêt")
    assert failing(fr, en, doc) == {"purposes": ["fr"]}


def test_contact_needs_both_the_email_and_the_postal_address() -> None:
    fr, en, doc = bodies()
    contact = re.search(r'<section id="contact">.*?</section>', fr, flags=re.S)
    assert contact is not None
    without_post = contact.group(0).replace("825 Rue André Ampère", "")
    assert failing(fr.replace(contact.group(0), without_post), en, doc) == {"contact": ["fr"]}


# -- Rights: each one is read from its own list item ------------------------------------

RIGHTS = {
    "right-access": "right-access",
    "right-rectification": "right-rectification",
    "right-erasure": "right-erasure",
    "right-restriction": "right-restriction",
    "right-objection": "right-objection",
    "right-portability": "right-portability",
    "right-withdraw-consent": "consent-withdrawal",
    "right-post-mortem": "post-mortem",
}


def drop_element(html: str, element: str) -> str:
    dropped, count = re.subn(rf'<li id="{element}">.*?</li>\n?', "", html, flags=re.S)
    assert count == 1, element
    return dropped


def blank_element(html: str, element: str) -> str:
    blanked, count = re.subn(rf'(<(li|td) id="{element}">).*?(</\2>)', r"\1\3", html, flags=re.S)
    assert count == 1, element
    return blanked


@pytest.mark.parametrize(("element", "item"), RIGHTS.items())
def test_a_right_whose_list_item_is_removed_fails_in_both_languages(
    element: str, item: str
) -> None:
    fr, en, doc = bodies()
    assert failing(drop_element(fr, element), drop_element(en, element), doc) == {
        item: ["fr", "en"]
    }


def test_without_the_erasure_item_the_post_mortem_mention_of_erasure_does_not_count() -> None:
    fr, en, doc = bodies()
    fr, en = drop_element(fr, "right-erasure"), drop_element(en, "right-erasure")
    # The words are still in the rights section, in other items.
    assert "effacement" in PolicyText(fr).section("rights")
    assert "erasure" in PolicyText(en).section("rights")
    assert failing(fr, en, doc) == {"right-erasure": ["fr", "en"]}


def test_without_the_objection_item_the_french_restriction_item_does_not_count() -> None:
    fr, en, doc = bodies()
    fr = drop_element(fr, "right-objection")
    assert "votre opposition" in PolicyText(fr).section("right-restriction")
    assert failing(fr, en, doc) == {"right-objection": ["fr"]}


@pytest.mark.parametrize(("element", "item"), RIGHTS.items())
def test_an_empty_right_list_item_fails(element: str, item: str) -> None:
    fr, en, doc = bodies()
    assert failing(fr, blank_element(en, element), doc) == {item: ["en"]}


def test_a_right_item_moved_out_of_the_rights_section_fails() -> None:
    fr, en, doc = bodies()
    item = re.search(r'<li id="right-portability">.*?</li>', fr, flags=re.S)
    assert item is not None
    moved = fr.replace(item.group(0), "").replace(
        '<section id="changes">', f'<section id="changes"><ul>{item.group(0)}</ul>'
    )
    assert failing(moved, en, doc) == {"right-portability": ["fr"]}


# -- Retention: every column of every category -------------------------------------------

COLUMNS = ["label", "start", "active", "archive", "end", "basis"]


@pytest.mark.parametrize("category", ["identity-contact", "billing"])
@pytest.mark.parametrize("column", COLUMNS)
def test_a_blank_retention_cell_fails(category: str, column: str) -> None:
    fr, en, doc = bodies()
    assert failing(blank_element(fr, f"retention-{category}-{column}"), en, doc) == {
        "retention": ["fr"]
    }
    assert failing(fr, blank_element(en, f"retention-{category}-{column}"), doc) == {
        "retention": ["en"]
    }


def test_the_billing_ten_year_archive_rule_must_be_in_its_own_row() -> None:
    fr, en, doc = bodies()
    archive = "10 ans après la clôture de l'exercice"
    # The archive rule is shown elsewhere in the section, but not in billing's row.
    fr = blank_element(fr, "retention-billing-archive").replace(
        "<p>En cas de réclamation", f"<p>{archive}</p><p>En cas de réclamation"
    )
    assert archive in PolicyText(fr).section("retention")
    assert failing(fr, en, doc) == {"retention": ["fr"]}


def test_the_start_event_of_each_category_is_shown_and_checked() -> None:
    fr, en, doc = bodies()
    assert PolicyText(fr).section("retention-billing-start") == "Clôture de l'exercice"
    assert PolicyText(en).section("retention-identity-contact-start") == "EN Fin de la relation"
    doc["data_categories"][1]["retention"]["start_event"]["fr"] = "Émission de la facture"
    assert failing(fr, en, doc) == {"retention": ["fr"]}


def test_a_wrong_final_action_fails() -> None:
    fr, en, doc = bodies()
    doc["data_categories"][0]["retention"]["final_action"] = "anonymise"
    assert failing(fr, en, doc) == {"retention": ["fr", "en"]}


# -- Complaint: the fixed CNIL block (R79) ------------------------------------------------


def test_a_bogus_supervisory_authority_in_the_register_is_not_publishable() -> None:
    doc = copy.deepcopy(MINIMAL)
    doc["controller"]["supervisory_authority"] = {
        "name": "CNIL",
        "address": "1 rue X",
        "phone": "0",
        "complaint_url": "https://example.org/",
    }
    fr, en = render_body(doc, "fr"), render_body(doc, "en")
    # The text says exactly what the register says, and is still refused.
    assert "1 rue X" in PolicyText(fr).section("complaint")
    assert failing(fr, en, doc) == {"cnil-complaint": ["fr", "en"]}


@pytest.mark.parametrize(
    "part",
    ["3 Place de Fontenoy", "TSA 80715", "75334 PARIS CEDEX 07", "01 53 73 22 22", "cnil.fr"],
)
def test_each_part_of_the_cnil_block_is_required(part: str) -> None:
    fr, en, doc = bodies()
    # Missing from the register too: the check does not follow the register.
    doc["controller"]["supervisory_authority"]["address"] = ""
    assert failing(fr, en, doc) == {}
    assert failing(fr.replace(part, "…"), en.replace(part, "…"), doc) == {
        "cnil-complaint": ["fr", "en"]
    }


# -- Transfers outside the EEA ---------------------------------------------------------------


def with_transfer(country: str, safeguard: str | None) -> dict:
    doc = copy.deepcopy(MINIMAL)
    doc["recipients"].append(
        {
            "key": "crm",
            "name": {"fr": "Éditeur du CRM", "en": "CRM vendor"},
            "category": "processor",
            "purposes": {"fr": "Gestion de la relation client", "en": "Client relationship"},
            "data_categories": ["identity-contact"],
            "country": country,
            "transfer_safeguard": safeguard,
            "contract_reference": "DPA-CRM",
            "privacy_contact": "privacy@crm.example",
            "source": "proposed default",
        }
    )
    doc["activities"][0]["recipients"] = ["datacenter", "crm"]
    return doc


SCC = "SCC: décision (UE) 2021/914"


def test_a_transfer_named_with_its_country_and_safeguard_passes() -> None:
    doc = with_transfer("US", SCC)
    fr, en = render_body(doc, "fr"), render_body(doc, "en")
    assert PolicyText(fr).section("transfer-1") == f"Éditeur du CRM (US) : {SCC}"
    assert failing(fr, en, doc) == {}


@pytest.mark.parametrize("needle", [SCC, "(US)", "Éditeur du CRM"])
def test_a_transfer_without_its_recipient_country_or_safeguard_fails(needle: str) -> None:
    doc = with_transfer("US", SCC)
    fr, en = render_body(doc, "fr"), render_body(doc, "en")
    item = re.search(r'<li id="transfer-1">.*?</li>', fr, flags=re.S)
    assert item is not None and needle in item.group(0)
    fr = fr.replace(item.group(0), item.group(0).replace(needle, "…"))
    assert failing(fr, en, doc) == {"transfers": ["fr"]}


def test_a_transfer_the_text_does_not_list_fails_in_both_languages() -> None:
    doc = with_transfer("US", SCC)
    fr, en = render_body(doc, "fr"), render_body(doc, "en")
    fr, en = drop_element(fr, "transfer-1"), drop_element(en, "transfer-1")
    assert failing(fr, en, doc) == {"transfers": ["fr", "en"]}


def test_the_no_transfer_statement_does_not_stand_in_for_a_transfer() -> None:
    doc = with_transfer("US", SCC)
    fr, en, _ = bodies()  # rendered before the register recorded the transfer
    assert "Aucun transfert hors UE" in PolicyText(fr).section("transfers")
    assert failing(fr, en, doc)["transfers"] == ["fr", "en"]


def test_a_transfer_without_a_safeguard_in_the_register_fails() -> None:
    # An adequacy decision is no safeguard for the US: the register must record one.
    doc = with_transfer("US", None)
    fr, en = render_body(doc, "fr"), render_body(doc, "en")
    assert failing(fr, en, doc) == {"transfers": ["fr", "en"]}


def test_a_transfer_to_an_adequate_country_names_the_adequacy_decision() -> None:
    doc = with_transfer("JP", None)
    fr, en = render_body(doc, "fr"), render_body(doc, "en")
    assert "décision d'adéquation" in PolicyText(fr).section("transfer-1")
    assert failing(fr, en, doc) == {}
    assert failing(fr.replace("décision d'adéquation", "…"), en, doc) == {"transfers": ["fr"]}


@pytest.mark.parametrize(
    ("lang", "statement"),
    [("fr", "Aucun transfert hors UE"), ("en", "No transfer outside the EEA")],
)
def test_without_transfers_the_text_must_say_there_are_none(lang: str, statement: str) -> None:
    fr, en, doc = bodies()
    if lang == "fr":
        fr = fr.replace(statement, "Transferts éventuels")
    else:
        en = en.replace(statement, "Possible transfers")
    assert failing(fr, en, doc) == {"transfers": [lang]}
