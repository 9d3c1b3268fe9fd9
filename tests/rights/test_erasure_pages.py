"""The erasure panel of the case page (R53, L9, L10): who may do what, what a bad choice
shows, a current client's confirmation, a failed source run again."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa
from django.urls import reverse

from tests.rights.backoffice import open_verified
from tests.rights.conftest import deliver_all, received
from tests.sources.helpdesk import HELPDESK_MANIFEST, seed_helpdesk
from vigie.accounts.permissions import Role
from vigie.audit.actor import Actor
from vigie.audit.models import Event
from vigie.people.models import Person
from vigie.people.services import create_person
from vigie.rights import erasure
from vigie.rights.models import ErasurePlan, ErasureStatus
from vigie.sources.services import register_source

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

ALICE = "alice.martin@example.fr"


@pytest.fixture
def handler(make_staff):
    return make_staff(Role.SALES, username="handler")


@pytest.fixture
def alice(cli_actor) -> Person:
    return create_person(
        cli_actor, email=ALICE, first_name="Alice", last_name="Martin", subject_types=[]
    )


def _url(name: str, case) -> str:
    return reverse(f"cases:erasure-{name}", args=[case.pk])


def _post_plan(client, case, plan: ErasurePlan, **changes: dict[str, str]):
    data: dict[str, object] = {"invoked": ["a", "d"]}
    for category, choice in plan.choices.items():
        choice = {**choice, **changes.get(category, {})}
        data[f"choice__{category}"] = choice["choice"]
        data[f"ground__{category}"] = choice["ground"]
        data[f"until__{category}"] = choice["until"]
    return client.post(_url("confirm", case), data)


def test_the_privacy_lead_proposes_changes_confirms_and_runs_and_the_letter_is_sent(
    alice, privacy_lead, signed_in, smtp_server
) -> None:
    case = open_verified(alice, types=["erasure"])
    client = signed_in(privacy_lead)
    assert client.post(_url("propose", case)).status_code == 302
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Identité et coordonnées" in page or "Identity and contact details" in page
    plan = ErasurePlan.objects.get(case=case)
    assert plan.choices["identity-contact"]["choice"] == "erase"

    # A free-text ground is refused on the page: 400 with the reason, nothing changed.
    free = {"choice": "keep", "ground": "motif légitime", "until": "2030-01-01"}
    response = _post_plan(client, case, plan, **{"identity-contact": free})
    assert response.status_code == 400
    plan.refresh_from_db()
    assert plan.status == ErasureStatus.PROPOSED

    # Kept on a closed-list ground without a date: refused too.
    undated = {"choice": "keep", "ground": "e-claims", "until": ""}
    response = _post_plan(client, case, plan, **{"identity-contact": undated})
    assert response.status_code == 400
    assert "date" in response.content.decode()

    assert _post_plan(client, case, plan).status_code == 302
    plan.refresh_from_db()
    assert plan.status == ErasureStatus.CONFIRMED and plan.invoked == ["a", "d"]
    assert client.post(_url("run", case)).status_code == 302
    plan.refresh_from_db()
    assert plan.status == ErasureStatus.DONE
    deliver_all()
    letters = [m for m in received(smtp_server) if case.number in m[1]]
    assert any("Identité et coordonnées" in body for _to, _s, body in letters)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "erasure-plan" in page


def test_a_handler_proposes_but_only_the_privacy_lead_confirms_and_runs(
    alice, handler, outsider, signed_in
) -> None:
    case = open_verified(alice, types=["erasure"])
    client = signed_in(handler)
    assert client.post(_url("propose", case)).status_code == 302
    plan = ErasurePlan.objects.get(case=case)
    assert _post_plan(client, case, plan).status_code == 403
    assert client.post(_url("run", case)).status_code == 403
    client.logout()
    other = signed_in(outsider)
    for name in ("propose", "confirm", "client", "run"):
        assert other.post(_url(name, case)).status_code == 403, name
    plan.refresh_from_db()
    assert plan.status == ErasureStatus.PROPOSED


def test_a_case_without_erasure_has_no_plan(alice, privacy_lead) -> None:
    case = open_verified(alice, types=["access"])
    with pytest.raises(erasure.ErasureError):
        erasure.propose(Actor.for_user(privacy_lead), case)


def test_a_current_client_must_confirm_before_the_erasure_runs(
    claire, privacy_lead, handler, signed_in, smtp_server
) -> None:
    lead = Actor.for_user(privacy_lead)
    case = open_verified(claire, types=["erasure"])
    plan = erasure.propose(lead, case, ["b"])
    assert plan.current_client, "a client subject type and no contract in the sources"
    plan = erasure.choose(lead, case, plan.proposed, ["b"])
    assert plan.status == ErasureStatus.AWAITING_CLIENT
    # She is told the service will stop and asked to confirm in writing (once).
    assert case.letters.filter(template="rights_erasure_service_stop").count() == 1
    erasure.choose(lead, case, plan.proposed, ["b"])
    assert case.letters.filter(template="rights_erasure_service_stop").count() == 1
    deliver_all()
    assert any("arrêtera votre service" in s for _t, s, _b in received(smtp_server))
    with pytest.raises(erasure.ErasureError, match=r"current client|client actuel"):
        erasure.run(lead, case)
    assert not Event.objects.filter(action="sources:subject:erase").exists()
    client = signed_in(handler)
    assert client.post(_url("client", case), {"note": ""}).status_code == 400
    note = "Courrier de la cliente du 02/12/2026 : elle confirme l’arrêt du service."
    assert client.post(_url("client", case), {"note": note}).status_code == 302
    plan.refresh_from_db()
    assert plan.status == ErasureStatus.CONFIRMED and plan.client_confirmed_at
    assert erasure.run(lead, case).status == ErasureStatus.DONE


def test_a_source_that_fails_leaves_the_plan_failed_and_the_run_is_started_again(
    alice, privacy_lead, cli_actor, tmp_path: Path, monkeypatch
) -> None:
    url = f"sqlite:///{tmp_path / 'helpdesk.sqlite3'}"
    monkeypatch.setenv("VIGIE_TEST_SOURCE_HELPDESK_URL", url)
    engine = sa.create_engine(url)
    seed_helpdesk(engine)
    register_source(cli_actor, HELPDESK_MANIFEST)
    lead = Actor.for_user(privacy_lead)
    case = open_verified(alice, types=["erasure"])
    plan = erasure.propose(lead, case, ["a"])
    assert "hotline-tickets" in plan.choices
    erasure.choose(lead, case, plan.proposed, ["a"])

    monkeypatch.setenv("VIGIE_TEST_SOURCE_HELPDESK_URL", f"sqlite:///{tmp_path}/gone/x.db")
    with pytest.raises(erasure.ErasureError, match=r"run the erasure again|relancez l’effacement"):
        erasure.run(lead, case)
    plan.refresh_from_db()
    assert plan.status == ErasureStatus.FAILED and "helpdesk" in plan.failed
    assert ALICE not in plan.failed

    monkeypatch.setenv("VIGIE_TEST_SOURCE_HELPDESK_URL", url)
    plan = erasure.run(lead, case)
    assert plan.status == ErasureStatus.DONE and plan.runs == 2
    with engine.connect() as conn:
        left = conn.execute(
            sa.text("SELECT COUNT(*) FROM useremails WHERE email = :e"), {"e": ALICE}
        ).scalar_one()
    assert left == 0
    engine.dispose()


def test_the_grounds_are_a_closed_list_of_article_17_3() -> None:
    until = (dt.date.today() + dt.timedelta(days=400)).isoformat()
    for ground in ("motif légitime", "intérêt légitime", "", "17(3)(f)"):
        with pytest.raises(erasure.ErasureError, match="17\\(3\\)"):
            erasure.check_choice("x", {"choice": "keep", "ground": ground, "until": until})
    assert {g.text.split(" ")[0] for g in erasure.GROUNDS.values()} == {
        "17(3)(a)",
        "17(3)(b)",
        "17(3)(c)",
        "17(3)(d)",
        "17(3)(e)",
    }
    assert set(erasure.ART17_1) == {"a", "b", "c", "d", "e", "f"}


def test_deleting_an_account_from_the_person_page_runs_the_erasure_and_tells_what_is_kept(
    alice, privacy_lead, handler, outsider, signed_in, smtp_server, cli_actor, tmp_path, monkeypatch
) -> None:
    """R19: « Factures – obligation légale L123-22 – jusqu'au 31/12/2033 »."""
    from tests.sources.helpdesk import BILLING_MANIFEST, seed_billing
    from vigie.people.services import PersonUnavailable, open_person

    url = f"sqlite:///{tmp_path / 'billing.sqlite3'}"
    monkeypatch.setenv("VIGIE_TEST_SOURCE_BILLING_URL", url)
    engine = sa.create_engine(url)
    seed_billing(engine)
    register_source(cli_actor, BILLING_MANIFEST)
    page_url = reverse("people:detail", args=[alice.pk])
    delete_url = reverse("cases:person-delete", args=[alice.pk])

    client = signed_in(handler)
    assert "delete-account" not in client.get(page_url).content.decode()
    assert client.post(delete_url).status_code == 403
    client.logout()
    assert signed_in(outsider).post(delete_url).status_code == 403
    client.logout()

    client = signed_in(privacy_lead)
    assert "delete-account" in client.get(page_url).content.decode()
    response = client.post(delete_url)
    assert response.status_code == 302
    plan = ErasurePlan.objects.get(case__person=alice)
    assert plan.status == ErasureStatus.DONE
    assert response.url == reverse("cases:detail", args=[plan.case.pk])
    with pytest.raises(PersonUnavailable):
        open_person(Person.objects.get(pk=alice.pk))
    with engine.connect() as conn:
        row = conn.execute(sa.text("SELECT nom, email FROM thirdparty WHERE rowid = 1")).one()
    assert row == ("Alice Martin", None)
    page = client.get(response.url).content.decode()
    assert "31/12/2033" in page and "17(3)(b) – L123-22 C. com." in page
    deliver_all()
    (body,) = [b for to, s, b in received(smtp_server) if to == ALICE and "effacées" in s]
    assert "Facturation et comptabilité : 17(3)(b) – L123-22 C. com." in body
    assert "jusqu’au 31/12/2033" in body
    engine.dispose()


def test_a_run_interrupted_after_the_sources_finishes_its_last_step_when_run_again(
    alice, privacy_lead, monkeypatch
) -> None:
    from vigie.people.services import PersonUnavailable, open_person

    lead = Actor.for_user(privacy_lead)
    case = open_verified(alice, types=["erasure"])
    plan = erasure.propose(lead, case, ["a"])
    erasure.choose(lead, case, plan.proposed, ["a"])

    def broken(*_args, **_kwargs):
        raise RuntimeError("the outbox is down")

    monkeypatch.setattr(erasure, "send_letter", broken)
    with pytest.raises(RuntimeError):
        erasure.run(lead, case)
    plan.refresh_from_db()
    assert plan.status == ErasureStatus.CONFIRMED, "the last step rolled back"
    with pytest.raises(PersonUnavailable):
        open_person(Person.objects.get(pk=alice.pk))
    monkeypatch.undo()
    plan = erasure.run(lead, case)
    assert plan.status == ErasureStatus.DONE and plan.runs == 2
    assert case.letters.filter(template="rights_erasure_done").count() == 1
