"""Objection on a rights case (Art. 21, R56, R42): each purpose stops the same day;
only the privacy lead overrides a legitimate-interest purpose, with written grounds;
marketing goes through the absolute objection and is never weighed; the decision
letter goes out, with the CNIL block when the objection is refused."""

from __future__ import annotations

import pytest

from tests.rights.backoffice import open_verified
from tests.rights.conftest import ON_FILE, deliver_all, received
from vigie.accounts.permissions import Role
from vigie.audit.actor import Actor
from vigie.consent.audience import check_audience
from vigie.consent.services import objected
from vigie.people.models import BlockStatus, Person, ProcessingBlock
from vigie.people.restrictions import purpose_blocked
from vigie.rights import services
from vigie.rights.objection import (
    object_to_purposes,
    objectable_purposes,
    record_grounds,
    send_decision,
)

pytestmark = pytest.mark.django_db(databases=["default", "keys"])
LOGS = "security-logs/0"


def _url(case, action: str = "") -> str:
    return f"/backoffice/rights/{case.pk}/" + (f"{action}/" if action else "")


def test_only_legitimate_interest_purposes_of_the_register_are_offered(claire) -> None:
    refs = [p.ref for p in objectable_purposes()]
    assert LOGS in refs and "prospecting/0" in refs
    assert "prospecting/1" not in refs  # consent: withdrawn, not objected to
    assert "newsletter/0" not in refs


def test_an_objection_stops_the_purpose_today_and_not_the_others(claire: Person) -> None:
    case = open_verified(claire, types=["objection"])

    object_to_purposes(Actor.cli(), case, purposes=[LOGS])

    assert purpose_blocked(claire, LOGS)
    assert not purpose_blocked(claire, "prospecting/0")
    [block] = ProcessingBlock.objects.filter(person=claire)
    assert block.case_number == case.number and block.label_fr.startswith("Sécurité")
    assert case.events.filter(kind="objection_blocked").count() == 1
    # Again: nothing more.
    object_to_purposes(Actor.cli(), case, purposes=[LOGS])
    assert ProcessingBlock.objects.filter(person=claire).count() == 1


def test_an_objection_to_b2b_prospecting_is_refused_by_the_audience_check(claire) -> None:
    case = open_verified(claire, types=["objection"])
    claire.informed_of_opt_out_at = claire.collected_at
    claire.save(update_fields=["informed_of_opt_out_at"])
    assert check_audience("offres", [ON_FILE])[0].allowed

    object_to_purposes(Actor.cli(), case, marketing=["offres"])

    [result] = check_audience("offres", [ON_FILE])
    assert (result.allowed, result.reason) == (False, "OBJECTED")
    assert not objected(claire)  # one purpose, not all marketing


def test_an_objection_to_all_marketing_goes_through_consent(claire) -> None:
    case = open_verified(claire, types=["objection"])

    object_to_purposes(Actor.cli(), case, marketing=["all"])

    assert objected(claire)
    for purpose in ("newsletter", "offres", "offres_partenaires"):
        assert check_audience(purpose, [ON_FILE])[0].reason in ("OBJECTED", "SUPPRESSED")
    [block] = ProcessingBlock.objects.filter(person=claire)
    with pytest.raises(services.RightsError, match="absolue"):
        record_grounds(Actor.cli(), case, str(block.pk), "Un motif long mais sans objet ici.")


def test_grounds_are_required_and_only_the_privacy_lead_records_them(
    claire, make_staff, privacy_lead
) -> None:
    case = open_verified(claire, types=["objection"])
    [block] = object_to_purposes(Actor.cli(), case, purposes=[LOGS])
    sales = Actor.for_user(make_staff(Role.SALES))
    lead = Actor.for_user(privacy_lead)

    with pytest.raises(services.NotAllowed):
        record_grounds(sales, case, str(block.pk), "Enquête de sécurité en cours, journaux requis.")
    with pytest.raises(services.RightsError, match="motifs légitimes"):
        record_grounds(lead, case, str(block.pk), "")
    assert ProcessingBlock.objects.get().status == BlockStatus.BLOCKED

    record_grounds(lead, case, str(block.pk), "Enquête de sécurité en cours, journaux requis.")
    assert ProcessingBlock.objects.get().status == BlockStatus.OVERRIDDEN
    assert not purpose_blocked(claire, LOGS)


def test_the_decision_letter_gives_the_grounds_and_the_cnil_block(
    claire, smtp_server, privacy_lead
) -> None:
    case = open_verified(claire, types=["objection"])
    blocks = object_to_purposes(Actor.cli(), case, purposes=[LOGS, "prospecting/3"])
    record_grounds(
        Actor.for_user(privacy_lead),
        case,
        str(blocks[0].pk),
        "Enquête de sécurité en cours : journaux nécessaires à la défense en justice.",
    )

    send_decision(Actor.cli(), case)
    deliver_all()

    [(to, subject, body)] = [r for r in received(smtp_server) if "opposition" in r[1]]
    assert to == ON_FILE and case.number in subject
    assert "Enquête de sécurité en cours" in body
    assert "Cibler les offres" in body  # the targeting purpose, stopped
    assert "3 Place de Fontenoy" in body and "recours juridictionnel" in body


def test_the_page_records_an_objection_and_refuses_an_empty_one(
    claire, signed_in, make_staff
) -> None:
    case = open_verified(claire, types=["objection"])
    client = signed_in(make_staff(Role.SALES))
    page = client.get(_url(case)).content.decode()
    assert 'id="objection"' in page and LOGS in page

    assert client.post(_url(case, "object"), {}).status_code == 400
    assert client.post(_url(case, "object"), {"purposes": [LOGS]}).status_code == 302
    assert purpose_blocked(claire, LOGS)
    block = ProcessingBlock.objects.get()
    # Sales may not override (R49): 403, the block holds.
    response = client.post(
        _url(case, "objection-grounds"), {"block": block.pk, "grounds": "x" * 30}
    )
    assert response.status_code == 403
    assert client.post(_url(case, "objection-letter")).status_code == 302


def test_the_privacy_lead_without_text_gets_a_form_error(claire, signed_in, privacy_lead):
    case = open_verified(claire, types=["objection"])
    [block] = object_to_purposes(Actor.cli(), case, purposes=[LOGS])
    response = signed_in(privacy_lead).post(
        _url(case, "objection-grounds"), {"block": block.pk, "grounds": "trop court"}
    )
    assert response.status_code == 400
    assert ProcessingBlock.objects.get().status == BlockStatus.BLOCKED


@pytest.mark.parametrize("action", ["object", "objection-grounds", "objection-letter"])
def test_outsiders_are_refused(claire, signed_in, outsider, action) -> None:
    case = open_verified(claire, types=["objection"])
    assert signed_in(outsider).post(_url(case, action), {"purposes": [LOGS]}).status_code == 403
    assert not ProcessingBlock.objects.exists()
