"""Register validation: every error names its path (issue 3, R1, R26)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from vigie.register.document import validate_document


@pytest.fixture(autouse=True)
def english():
    """These tests read the English source messages; the French ones are tested below."""
    with translation.override("en"):
        yield


def _errors(doc) -> list[str]:
    return [str(e) for e in validate_document(doc)]


def test_the_minimal_register_is_valid(register_doc) -> None:
    assert _errors(register_doc) == []


def test_an_unknown_category_is_named_with_its_path(register_doc) -> None:
    register_doc["activities"][1]["data_categories"] = ["identity-contact", "facturation"]
    assert _errors(register_doc) == [
        "activities[1].data_categories[1]: 'facturation' is not a known key of the data categories"
    ]


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (
            lambda d: d["activities"][0].update(purposes=[]),
            "activities[0].purposes: required (Art. 30(1)(b))",
        ),
        (lambda d: d["activities"][0].update(recipients=""), "activities[0].recipients: required"),
        (
            lambda d: d["activities"][0].update(recipients="N/A:"),
            "activities[0].recipients: required",
        ),
        (
            lambda d: d["activities"][0]["name"].update(en=""),
            "activities[0].name.en: required text",
        ),
        (
            lambda d: d["activities"][0]["purposes"][0].update(legal_basis="because"),
            "activities[0].purposes[0].legal_basis: 'because' is not one of",
        ),
        (
            lambda d: d["activities"][0]["purposes"][1].pop("legitimate_interest"),
            "activities[0].purposes[1].legitimate_interest: required text",
        ),
        (
            lambda d: d["data_categories"][0]["retention"].update(active_duration="3 ans"),
            "data_categories[0].retention.active_duration: '3 ans' is not an ISO 8601 period",
        ),
        (
            lambda d: d["data_categories"][0]["retention"].update(final_action="keep"),
            "data_categories[0].retention.final_action: 'keep' is not one of",
        ),
        (
            lambda d: d["data_categories"][1].update(key="identity-contact"),
            "data_categories[1].key: duplicate key 'identity-contact'",
        ),
        (
            lambda d: d["data_categories"][1].update(key="Facturation"),
            "data_categories[1].key: required: lowercase",
        ),
        (lambda d: d["controller"].update(email=""), "controller.email: required text"),
        (lambda d: d["controller"].pop("dpo"), "controller.dpo: required"),
        (
            lambda d: d["controller"]["supervisory_authority"].pop("address"),
            "controller.supervisory_authority.address: required text",
        ),
        (
            lambda d: d["activities"][0].pop("automated_decision"),
            "activities[0].automated_decision: required",
        ),
        (
            lambda d: d["activities"][0].update(security_measures=["locks"]),
            "activities[0].security_measures[0]: 'locks' is not a known key of the security "
            "measures",
        ),
        (
            lambda d: d["processor_register"][0].update(processing=[]),
            "processor_register[0].processing: required (Art. 30(2)(b))",
        ),
        (
            lambda d: d["processor_register"][0]["client"].update(name=""),
            "processor_register[0].client.name: required text",
        ),
        (lambda d: d.update(activities=[]), "activities: required: a non-empty list"),
        (lambda d: d.update(extra={}), "(document).extra: unknown field"),
        (
            lambda d: d["recipients"][0].update(country="France"),
            "recipients[0].country: required: an ISO 3166-1",
        ),
    ],
)
def test_each_problem_is_reported_at_its_path(register_doc, mutate, expected: str) -> None:
    mutate(register_doc)
    errors = _errors(register_doc)
    assert any(e.startswith(expected) for e in errors), errors


def _move_datacenter(doc, country: str, safeguard: str | None = None) -> None:
    doc["recipients"][0].update(country=country, transfer_safeguard=safeguard)
    doc["activities"][0]["transfers"] = [{"recipient": "datacenter"}]
    doc["processor_register"][0]["transfers"] = [{"recipient": "datacenter"}]


def test_a_recipient_outside_the_eea_without_safeguard_is_refused(register_doc) -> None:
    _move_datacenter(register_doc, "US")
    errors = _errors(register_doc)
    assert errors[0].startswith("recipients[0].transfer_safeguard: US is outside the EEA")
    assert (
        "activities[0].transfers[0].safeguard: a transfer to US needs a safeguard (Art. 46)"
        in errors
    )


def test_a_recipient_outside_the_eea_with_a_safeguard_is_accepted(register_doc) -> None:
    _move_datacenter(register_doc, "US", "SCC: décision (UE) 2021/914, module 3")
    assert _errors(register_doc) == []


@pytest.mark.parametrize("country", ["CH", "GB", "JP"])
def test_adequate_countries_need_no_safeguard_but_are_still_transfers(
    register_doc, country: str
) -> None:
    _move_datacenter(register_doc, country)
    assert _errors(register_doc) == []


@pytest.mark.parametrize("country", ["DE", "NO"])
def test_eea_countries_are_not_transfers(register_doc, country: str) -> None:
    register_doc["recipients"][0]["country"] = country
    assert _errors(register_doc) == []
    register_doc["activities"][0]["transfers"] = [{"recipient": "datacenter"}]
    assert _errors(register_doc) == [
        f"activities[0].transfers[0].country: {country} is in the EEA: this is not a transfer"
    ]


def test_a_recipient_abroad_cannot_hide_behind_no_transfer(register_doc) -> None:
    register_doc["recipients"][0].update(country="US", transfer_safeguard="SCC: 2021/914")
    errors = _errors(register_doc)
    assert (
        "activities[0].transfers: recipient 'datacenter' is in US, outside the EEA: "
        "list the transfer instead of N/A"
    ) in errors
    assert any(
        e.startswith("processor_register[0].transfers: recipient 'datacenter' is in US")
        for e in errors
    )


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (
            lambda d: d["activities"][0].update(purposes=[{}]),
            "activities[0].purposes[0].text: required",
        ),
        (
            lambda d: d["data_categories"][0].update(retention={}),
            "data_categories[0].retention.start_event: required",
        ),
        (lambda d: d.update(controller={}), "controller.name: required text"),
        (
            lambda d: d["activities"][0].update(transfers=[{}]),
            "activities[0].transfers[0].recipient: None is not a known key of the recipients",
        ),
        (
            lambda d: d["processor_register"][0].update(client={}),
            "processor_register[0].client.name: required text",
        ),
        (
            lambda d: d["activities"][0].update(data_categories=[{"a": 1}]),
            "activities[0].data_categories[0]: {'a': 1} is not a known key of the data categories",
        ),
        (
            lambda d: d["activities"][0].update(transfers=[{"recipient": ["x"]}]),
            "activities[0].transfers[0].recipient: ['x'] is not a known key of the recipients",
        ),
        (lambda d: d["recipients"][0].update(key=["x"]), "recipients[0].key: required"),
        (
            lambda d: d["activities"][0].update(reviewed=dt.date(2024, 1, 1)),
            "activities[0].reviewed: datetime.date(2024, 1, 1) is not text",
        ),
        (lambda d: d["controller"].update(dpo={}), "controller.dpo.name: required text"),
        (
            lambda d: d["data_categories"][0]["label"].update(fr="x" * 201),
            "data_categories[0].label.fr: too long",
        ),
        (lambda d: d["activities"][0].update(colour="blue"), "activities[0].colour: unknown field"),
        (
            lambda d: d["activities"][0].update(purposes=["texte"]),
            "activities[0].purposes[0]: required: a mapping",
        ),
    ],
)
def test_malformed_values_are_errors_not_crashes(register_doc, mutate, expected: str) -> None:
    mutate(register_doc)
    errors = _errors(register_doc)
    assert any(e.startswith(expected) for e in errors), errors


def test_a_transfer_listed_on_an_activity_is_guarded_too(register_doc) -> None:
    register_doc["activities"][0]["transfers"] = [{"recipient": "datacenter", "country": "IN"}]
    assert _errors(register_doc) == [
        "activities[0].transfers[0].safeguard: a transfer to IN needs a safeguard (Art. 46)"
    ]


def test_a_document_that_is_not_a_mapping_is_refused() -> None:
    assert _errors(["not", "a", "register"]) == [
        "(document): expected a mapping with controller, activities, …"
    ]


def test_an_activity_says_which_category_holds_what_it_collects_from_other_sources(
    register_doc,
) -> None:
    """Art. 14: ``collected_from`` maps a source (not the person) to one of the
    activity's data categories; a purpose may name the activity's categories of people
    it concerns. Both are optional and checked."""
    activity = register_doc["activities"][0]
    category = activity["data_categories"][0]
    subject = activity["subject_categories"][0]
    activity["collected_from"] = {"public_source": category, "enrichment": category}
    activity["purposes"][0]["subject_categories"] = [subject]
    assert _errors(register_doc) == []
    activity["collected_from"] = {"newspaper": category, "enrichment": "billing-x"}
    activity["purposes"][0]["subject_categories"] = ["staff-x"]
    errors = _errors(register_doc)
    assert any(
        e.startswith("activities[0].collected_from.newspaper: 'newspaper' is not one of")
        for e in errors
    ), errors
    assert (
        "activities[0].collected_from.enrichment: 'billing-x' is not one of the activity's "
        "data categories" in errors
    )
    assert (
        "activities[0].purposes[0].subject_categories[0]: 'staff-x' is not a known key of the "
        "categories of people of the activity"
    ) in errors
