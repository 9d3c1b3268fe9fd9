"""The inventory check (R4) covers Vigie's own store: every personal-data field of its
models maps to a category of the loaded register."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.register.conftest import MINIMAL
from vigie.audit.models import Event
from vigie.consent.models import Segment
from vigie.people.models import Person
from vigie.register.services import apply_document, load_file
from vigie.sources import inventory
from vigie.sources.inventory import check_builtin, store_models, vigie_models
from vigie.sources.rules import register_rules
from vigie.sources.services import check_sources

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


@pytest.fixture
def register(cli_actor) -> None:
    load_file(cli_actor, ROOT / "policies" / "semi-informatique.yaml")


def _problems(report) -> dict[str, str]:
    return {p.path: p.kind for p in report.problems}


def test_every_vigie_model_maps_its_personal_data_to_the_shipped_register(register) -> None:
    report = check_builtin(register_rules())
    assert report.ok, [str(p) for p in report.problems]
    assert report.tables == len(store_models()) > len(vigie_models()) >= 20
    assert report.personal_columns >= 50


def test_a_personal_field_mapped_to_no_category_fails_the_check(register, monkeypatch) -> None:
    unmapped = {k: v for k, v in Person.PERSONAL_DATA.items() if k != "phone_sealed"}
    monkeypatch.setattr(Person, "PERSONAL_DATA", unmapped)
    report = check_builtin(register_rules())
    assert _problems(report) == {"tables.people.person.columns.phone_sealed": "unmapped"}
    assert "identity and contact (phone, sealed)" in report.problems[0].message


def test_a_category_the_register_lacks_fails_the_check(register, monkeypatch) -> None:
    monkeypatch.setattr(
        Person, "PERSONAL_DATA", {**Person.PERSONAL_DATA, "phone_sealed": "hobbies"}
    )
    report = check_builtin(register_rules())
    assert _problems(report) == {"tables.people.person.columns.phone_sealed.category": "category"}
    assert "'hobbies' is not a category of the register" in str(report.problems[0])


def test_a_model_that_declares_nothing_fails_the_check(register, monkeypatch) -> None:
    monkeypatch.delattr(Segment, "PERSONAL_DATA")
    report = check_builtin(register_rules())
    assert _problems(report) == {"tables.consent.segment": "unmapped"}


def test_a_third_party_table_nobody_described_fails_the_check(register, monkeypatch) -> None:
    described = dict(inventory.THIRD_PARTY_PERSONAL_DATA)
    del described["sessions.session"]
    monkeypatch.setattr(inventory, "THIRD_PARTY_PERSONAL_DATA", described)
    report = check_builtin(register_rules())
    assert _problems(report) == {"tables.sessions.session": "unmapped"}
    assert "THIRD_PARTY_PERSONAL_DATA" in report.problems[0].message


def test_a_declared_field_that_does_not_exist_fails_the_check(register, monkeypatch) -> None:
    monkeypatch.setattr(
        Person, "PERSONAL_DATA", {**Person.PERSONAL_DATA, "birth_date": "identity-contact"}
    )
    report = check_builtin(register_rules())
    assert _problems(report) == {"tables.people.person.columns.birth_date": "missing"}


def test_another_register_without_vigies_categories_fails_naming_them(cli_actor) -> None:
    apply_document(cli_actor, MINIMAL)
    report = check_builtin(register_rules())
    paths = _problems(report)
    # identity-contact is in the small register; the consent proofs are not.
    assert "tables.people.person.columns.email_sealed.category" not in paths
    assert paths["tables.consent.consentevent.columns.wording.category"] == "category"


def test_the_command_checks_vigie_itself_and_fails_on_an_unmapped_field(
    register, monkeypatch
) -> None:
    out = io.StringIO()
    call_command("sources", "check", stdout=out)
    assert "checking vigie" in out.getvalue()
    assert "no external source registered" in out.getvalue()
    unmapped = {k: v for k, v in Person.PERSONAL_DATA.items() if k != "email_sealed"}
    monkeypatch.setattr(Person, "PERSONAL_DATA", unmapped)
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 problem"):
        call_command("sources", "check", stdout=out)
    assert "vigie: tables.people.person.columns.email_sealed" in out.getvalue()


def test_checking_all_sources_journals_the_check_of_vigie_itself(register, cli_actor) -> None:
    [report] = check_sources(cli_actor)
    assert report.source == "vigie" and report.ok
    event = Event.objects.filter(action="sources:source:check").latest("pk")
    assert (event.object_type, event.object_id) == ("sources.source", "vigie")
    assert event.extra == {"ok": True, "problems": 0}
