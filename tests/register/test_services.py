"""Load, history "as at" a date, edits, all audited (R1, R3)."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import pytest
import time_machine
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone, translation

from tests.register.conftest import MINIMAL
from vigie.audit.models import Event
from vigie.register.document import InvalidRegister
from vigie.register.models import DataCategory, Revision
from vigie.register.services import (
    apply_document,
    changed_paths,
    current_document,
    dump_yaml,
    export_register,
    load_file,
    update_entry,
)

ROOT = Path(__file__).resolve().parents[2]


def _write(tmp_path: Path, doc, name: str = "register.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def test_loading_twice_changes_nothing_the_second_time(db, tmp_path, cli_actor) -> None:
    path = _write(tmp_path, MINIMAL)
    first = load_file(cli_actor, path)
    assert first is not None and first.number == 1
    assert load_file(cli_actor, path) is None
    assert Revision.objects.count() == 1
    assert Event.objects.filter(action="register:register:change").count() == 1
    assert set(DataCategory.objects.values_list("key", flat=True)) == {
        "identity-contact",
        "billing",
    }


def test_yaml_round_trips(db, tmp_path, cli_actor) -> None:
    load_file(cli_actor, _write(tmp_path, MINIMAL))
    exported, _name, _type = export_register(cli_actor, fmt="yaml")
    assert yaml.safe_load(exported) == MINIMAL
    again = tmp_path / "again.yaml"
    again.write_bytes(exported)
    assert load_file(cli_actor, again) is None


def test_a_bad_file_changes_nothing_and_names_every_location(db, tmp_path, cli_actor) -> None:
    load_file(cli_actor, _write(tmp_path, MINIMAL))
    bad = copy.deepcopy(MINIMAL)
    bad["activities"][0]["data_categories"] = ["facturation"]
    bad["recipients"][0]["country"] = "US"
    with pytest.raises(InvalidRegister) as caught, translation.override("en"):
        load_file(cli_actor, _write(tmp_path, bad, "bad.yaml"))
    messages = [str(e) for e in caught.value.errors]
    assert (
        "activities[0].data_categories[0]: 'facturation' is not a known key of the data categories"
        in messages
    )
    assert any(
        m.startswith("recipients[0].transfer_safeguard: US is outside the EEA") for m in messages
    )
    assert Revision.objects.count() == 1
    assert current_document() == MINIMAL


def test_a_yaml_syntax_error_names_the_line(db, tmp_path, cli_actor) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("version: 1\ncontroller: [unclosed\n", encoding="utf-8")
    with translation.override("en"):
        with pytest.raises(InvalidRegister, match=r"line \d+, column \d+: not valid YAML"):
            load_file(cli_actor, path)
        with pytest.raises(InvalidRegister, match="cannot read"):
            load_file(cli_actor, tmp_path / "missing.yaml")
    with pytest.raises(InvalidRegister, match=r"line \d+, column \d+: YAML invalide"):
        load_file(cli_actor, path)


def test_the_cli_prints_each_error_and_exits_non_zero(db, tmp_path, capsys) -> None:
    bad = copy.deepcopy(MINIMAL)
    bad["activities"][1]["purposes"] = []
    # French is the default language (LANGUAGE_CODE): the CLI speaks it too, the path
    # stays as written. (Pinned: a request of an earlier test may leave another active.)
    with pytest.raises(CommandError, match="1 erreur"), translation.override("fr"):
        call_command("register", "load", str(_write(tmp_path, bad)))
    assert (
        "activities[1].purposes: obligatoire (art. 30(1)(b)) : au moins une finalité"
        in capsys.readouterr().err
    )
    assert not Revision.objects.exists()


def test_editing_a_retention_period_keeps_the_old_value_as_at_yesterday(
    db, cli_actor, privacy_lead
) -> None:
    from vigie.audit.actor import Actor

    with time_machine.travel(timezone.now() - dt.timedelta(days=2), tick=False):
        apply_document(cli_actor, copy.deepcopy(MINIMAL))
    rule = copy.deepcopy(MINIMAL["data_categories"][0]["retention"])
    rule["active_duration"] = "P5Y"
    rule["active_text"] = {"fr": "Relation + 5 ans", "en": "Relationship + 5 years"}
    revision = update_entry(
        Actor.for_user(privacy_lead),
        "data_categories",
        "identity-contact",
        {"retention": rule},
        reason="allongement",
    )
    assert revision is not None
    assert revision.changes == [
        "data_categories[identity-contact].retention.active_duration",
        "data_categories[identity-contact].retention.active_text.en",
        "data_categories[identity-contact].retention.active_text.fr",
    ]
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    old, _n, _t = export_register(cli_actor, fmt="yaml", as_of=yesterday)
    new, _n, _t = export_register(cli_actor, fmt="yaml")
    assert yaml.safe_load(old)["data_categories"][0]["retention"]["active_duration"] == "P3Y"
    assert yaml.safe_load(new)["data_categories"][0]["retention"]["active_duration"] == "P5Y"
    event = Event.objects.filter(action="register:register:change").latest("pk")
    assert (event.actor_type, event.actor_id) == ("user", str(privacy_lead.pk))
    assert "data_categories[identity-contact].retention.active_duration" in event.extra["changes"]
    assert DataCategory.objects.get(key="identity-contact").active_duration == "P5Y"


def test_changed_paths_match_keyed_entries_by_key() -> None:
    old = {"items": [{"key": "a", "v": 1}, {"key": "b", "v": 2}]}
    new = {"items": [{"key": "b", "v": 2}, {"key": "a", "v": 3}, {"key": "c", "v": 0}]}
    assert changed_paths(old, new) == ["items[a].v", "items[c]"]


def test_the_shipped_register_loads_and_round_trips(db, tmp_path, cli_actor) -> None:
    path = ROOT / "policies" / "semi-informatique.yaml"
    revision = load_file(cli_actor, path)
    assert revision is not None
    doc = revision.document
    controller_activities = [a for a in doc["activities"] if a["role"] == "controller"]
    assert len(controller_activities) >= 14
    assert len(doc["processor_register"]) >= 1
    again = tmp_path / "again.yaml"
    again.write_text(dump_yaml(doc), encoding="utf-8")
    assert load_file(cli_actor, again) is None
