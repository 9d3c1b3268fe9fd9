"""The R7 checklist finds each item, in both languages, or names what is missing."""

from __future__ import annotations

import copy
import re

import pytest

from tests.register.conftest import MINIMAL
from vigie.policy.checklist import ITEMS, evaluate
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
