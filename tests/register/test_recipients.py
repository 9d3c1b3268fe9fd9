"""The register's recipients as rows, kept by key across revisions (Art. 30(1)(d))."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.register.conftest import MINIMAL
from vigie.register.document import InvalidRegister
from vigie.register.models import Recipient
from vigie.register.services import (
    apply_document,
    find_recipient,
    list_recipients,
    update_entry,
)


def _with_counsel(doc: dict[str, Any]) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    doc["recipients"].append(
        {
            "key": "counsel",
            "name": {"fr": "Avocat", "en": "Counsel"},
            "category": "independent_controller",
            "purposes": {"fr": "Conseil", "en": "Advice"},
            "data_categories": ["identity-contact", "billing"],
            "country": "FR",
            "transfer_safeguard": None,
            "contract_reference": "N/A: secret professionnel",
            "privacy_contact": "cabinet@avocat.example",
            "source": "policy",
        }
    )
    return doc


def test_loading_the_register_creates_one_row_per_recipient(db, cli_actor) -> None:
    apply_document(cli_actor, _with_counsel(MINIMAL))
    rows = {r.key: r for r in Recipient.objects.all()}
    assert set(rows) == {"datacenter", "counsel"}
    datacenter = rows["datacenter"]
    assert (datacenter.name_fr, datacenter.name_en) == ("Hébergeur", "Hosting provider")
    assert datacenter.category == "processor"
    assert datacenter.country == "FR"
    assert datacenter.contract_reference == "DPA-2026-01"
    assert datacenter.privacy_contact == "dpo@hebergeur.example"
    assert datacenter.data_categories == ["identity-contact"]
    assert datacenter.in_register
    assert rows["counsel"].name("en") == "Counsel"


def test_a_new_revision_updates_the_row_in_place(db, cli_actor) -> None:
    apply_document(cli_actor, MINIMAL)
    before = Recipient.objects.get(key="datacenter")
    update_entry(cli_actor, "recipients", "datacenter", {"privacy_contact": "rgpd@host.example"})
    after = Recipient.objects.get(key="datacenter")
    assert after.pk == before.pk
    assert after.privacy_contact == "rgpd@host.example"


def test_a_recipient_dropped_by_a_later_revision_keeps_its_row_out_of_the_register(
    db, cli_actor
) -> None:
    apply_document(cli_actor, _with_counsel(MINIMAL))
    counsel = Recipient.objects.get(key="counsel")
    apply_document(cli_actor, MINIMAL)
    kept = find_recipient("counsel")
    assert kept is not None
    assert kept.pk == counsel.pk
    assert not kept.in_register
    assert [r.key for r in list_recipients()] == ["datacenter"]
    assert [r.key for r in list_recipients(in_register=False)] == ["counsel"]
    assert [r.key for r in list_recipients(in_register=None)] == ["counsel", "datacenter"]


def test_a_recipient_back_in_the_register_is_the_same_row_again(db, cli_actor) -> None:
    apply_document(cli_actor, _with_counsel(MINIMAL))
    counsel = Recipient.objects.get(key="counsel")
    apply_document(cli_actor, MINIMAL)
    apply_document(cli_actor, _with_counsel(MINIMAL))
    again = Recipient.objects.get(key="counsel")
    assert again.pk == counsel.pk
    assert again.in_register


def test_a_refused_register_changes_no_recipient(db, cli_actor) -> None:
    apply_document(cli_actor, MINIMAL)
    bad = _with_counsel(MINIMAL)
    bad["recipients"][1]["country"] = "not a country"
    with pytest.raises(InvalidRegister):
        apply_document(cli_actor, bad)
    assert list(Recipient.objects.values_list("key", flat=True)) == ["datacenter"]


def test_an_unknown_key_finds_no_recipient(db) -> None:
    assert find_recipient("nobody") is None
