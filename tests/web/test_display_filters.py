"""The shared display filters: codes shown as words, in French and in English."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import Context, Template
from django.utils import translation

from vigie.web.templatetags import vigie_display as show


@pytest.mark.parametrize(
    ("code", "french", "english"),
    [
        ("P3Y", "3 ans", "3 years"),
        ("P1Y", "1 an", "1 year"),
        ("P13M", "13 mois", "13 months"),
        ("P10Y", "10 ans", "10 years"),
        ("P6M", "6 mois", "6 months"),
        ("P1Y6M", "1 an et 6 mois", "1 year and 6 months"),
        ("P2Y1M15D", "2 ans, 1 mois et 15 jours", "2 years, 1 month and 15 days"),
        ("P1W", "1 semaine", "1 week"),
        ("P30D", "30 jours", "30 days"),
    ],
)
def test_an_iso_8601_duration_reads_as_words_in_both_languages(code, french, english) -> None:
    with translation.override("fr"):
        assert show.duration(code) == french
    with translation.override("en"):
        assert show.duration(code) == english


def test_a_value_that_is_no_duration_is_shown_as_it_is() -> None:
    assert show.duration("three years") == "three years"
    assert show.duration(None) == ""


def test_register_codes_read_as_words_in_french_then_english() -> None:
    with translation.override("fr"):
        assert show.final_action("delete") == "Suppression"
        assert show.final_action("anonymise") == "Anonymisation"
        assert show.recipient_category("processor") == "Sous-traitant"
        assert show.recipient_category("authority") == "Autorité publique"
        assert show.register_role("controller") == "Responsable de traitement"
        assert show.legal_basis("consent") == "Consentement (art. 6(1)(a))"
        assert show.country("FR") == "France"
    with translation.override("en"):
        assert show.final_action("delete") == "Deletion"
        assert show.recipient_category("independent_controller") == "Separate controller"
        assert show.country("DE") == "Germany"


def test_an_unknown_code_is_shown_rather_than_hidden() -> None:
    assert show.final_action("shred") == "shred"


def test_not_applicable_reads_as_prose() -> None:
    with translation.override("fr"):
        assert show.prose("N/A: no archive") == "Sans objet : no archive"
        assert show.bilingual({"fr": "N/A: pas d'archive", "en": "N/A: none"}) == (
            "Sans objet : pas d'archive"
        )
    with translation.override("en"):
        assert show.bilingual({"fr": "Trois ans", "en": "Three years"}) == "Three years"
        assert show.prose("N/A: none") == "Not applicable: none"


def test_dates_read_as_day_month_year_in_paris_time() -> None:
    # 23:30 UTC on 31 December is already 1 January in Paris.
    moment = dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC)
    assert show.day(moment) == "01/01/2027"
    assert show.moment(moment) == "01/01/2027 00:30"
    assert show.day(dt.date(2026, 3, 5)) == "05/03/2026"


def test_a_revision_diff_shows_register_values_as_words() -> None:
    with translation.override("fr"):
        assert show.register_value("delete", "data_categories[x].retention.final_action") == (
            "Suppression"
        )
        assert show.register_value("P5Y", "data_categories[x].retention.active_duration") == (
            "5 ans"
        )
        assert show.register_value([{"key": "a"}, {"key": "b"}], "activities") == "2 entrées"
        assert show.register_value(None, "recipients") == "—"
        assert show.revision_reason("load semi.yaml") == "Chargé depuis le fichier semi.yaml"


def test_who_collected_a_consent_reads_as_words() -> None:
    with translation.override("fr"):
        assert show.collector("subject") == "la personne elle-même"
        assert show.collector("cli:demo") == "Ligne de commande (demo)"


def test_the_filters_load_in_a_template() -> None:
    template = Template(
        "{% load vigie_display %}"
        "{{ d|duration }} · {{ a|final_action }} · {{ r|recipient_category }}"
    )
    with translation.override("fr"):
        text = template.render(Context({"d": "P13M", "a": "delete", "r": "processor"}))
    assert text == "13 mois · Suppression · Sous-traitant"
