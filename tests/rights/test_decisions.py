"""Extensions (R47), refusals (R49) and the letters that must carry the CNIL block and
the judicial remedy (R79)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.utils import translation

from tests.rights.conftest import ON_FILE, deliver_all, received
from vigie.audit.actor import Actor
from vigie.rights import services
from vigie.rights.letters import REMEDY_LETTERS, remedy_problems
from vigie.rights.models import Channel, Status
from vigie.rights.sealing import Requester

pytestmark = pytest.mark.django_db(databases=["default", "keys"])
PARIS = dt.timezone(dt.timedelta(hours=1))
CNIL = ("3 Place de Fontenoy", "TSA 80715", "01 53 73 22 22")


@pytest.fixture
def case(claire) -> Any:
    with time_machine.travel(dt.datetime(2025, 3, 10, 9, 0, tzinfo=PARIS), tick=False):
        return services.open_case(
            Actor.cli(),
            types=["access", "erasure"],
            channel=Channel.POST,
            requester=Requester(email=ON_FILE, name="Claire Martin"),
            person=claire,
            verified_by="customer_reference",
        ).case


def test_an_extension_noticed_in_time_moves_the_due_date_to_three_months(case, smtp_server):
    with time_machine.travel(dt.datetime(2025, 4, 2, 10, 0, tzinfo=PARIS), tick=False):
        extended = services.extend_deadline(
            Actor.cli(), case, "Demande portant sur dix ans d’interventions."
        )
    assert extended.due_date == dt.date(2025, 6, 10)
    assert extended.extension_notice_sent_at is not None
    deliver_all()
    notices = [t for to, s, t in received(smtp_server) if "prolongation" in s]
    assert notices and "10/06/2025" in notices[0] and "dix ans" in notices[0]
    for part in CNIL:
        assert part in notices[0]
    assert "recours juridictionnel" in notices[0]
    # The authority with its article (« réclamation à CNIL » read wrong in the demo).
    assert "réclamation auprès de la CNIL : 3 Place de Fontenoy" in notices[0]


def test_an_extension_the_day_after_the_due_date_is_refused(case, smtp_server):
    with (
        time_machine.travel(dt.datetime(2025, 4, 11, 10, 0, tzinfo=PARIS), tick=False),
        translation.override("fr"),
        pytest.raises(services.RightsError, match="délai initial expiré"),
    ):
        services.extend_deadline(Actor.cli(), case, "Trop tard.")
    case.refresh_from_db()
    assert case.due_date == dt.date(2025, 4, 10) and case.extended_at is None
    assert not case.letters.filter(template="rights_extension_notice").exists()


def test_an_extension_whose_notice_cannot_be_sent_is_refused(claire):
    """A request by phone from someone without an address: no notice can go out."""
    case = services.open_case(
        Actor.cli(),
        types=["access"],
        channel=Channel.PHONE,
        requester=Requester(name="Claire Martin", phone="04 42 00 00 00"),
        verified_by="known_to_staff",
    ).case
    with pytest.raises(services.RightsError):
        services.extend_deadline(Actor.cli(), case, "Recherches longues.")
    case.refresh_from_db()
    assert case.extended_at is None


def test_a_sales_user_cannot_refuse_and_a_privacy_lead_can_with_the_remedies(
    case, make_staff, privacy_lead, smtp_server
):
    sales = make_staff("sales")
    with pytest.raises(services.NotAllowed):
        services.decide(Actor.for_user(sales), case, "erasure", "refused", "Obligation légale.")
    # Granting is a handler's.
    services.decide(Actor.for_user(sales), case, "access", "granted", "")
    with pytest.raises(services.RightsError):
        services.decide(Actor.for_user(privacy_lead), case, "erasure", "refused", "  ")
    services.decide(
        Actor.for_user(privacy_lead),
        case,
        "erasure",
        "refused",
        "Factures conservées : art. 17(3)(b) RGPD, L123-22 C. com.",
    )
    case.refresh_from_db()
    assert case.status == Status.PARTIALLY_REFUSED and case.retain_until is not None
    assert case.retain_until.year == case.closed_at.year + 5
    deliver_all()
    [letter] = [t for _to, s, t in received(smtp_server) if "décision" in s]
    assert "L123-22" in letter and "recours juridictionnel" in letter
    for part in CNIL:
        assert part in letter


def test_nothing_is_granted_before_identity_is_verified(claire):
    case = services.open_case(
        Actor.cli(),
        types=["access"],
        channel=Channel.PORTAL,
        requester=Requester(email="x@elsewhere.example"),
    ).case
    with pytest.raises(services.RightsError):
        services.decide(Actor.cli(), case, "access", "granted", "")
    with pytest.raises(services.RightsError):
        services.answer(Actor.cli(), case)


def test_every_answering_letter_carries_the_cnil_block_and_the_judicial_remedy():
    for template in REMEDY_LETTERS:
        assert remedy_problems(template) == (), template


def test_a_letter_template_without_the_remedies_fails_validation(settings, tmp_path, case):
    (tmp_path / "mail").mkdir()
    for lang in ("fr", "en"):
        for suffix in ("txt", "html"):
            (tmp_path / "mail" / f"rights_refusal.{lang}.{suffix}").write_text(
                "Refusé. {{ number }}"
            )
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    remedy_problems.cache_clear()
    try:
        assert "fr txt: no CNIL complaint block" in remedy_problems("rights_refusal")
        with pytest.raises(services.RightsError, match="CNIL"):
            services.decide(Actor.cli(), case, "erasure", "refused", "Motif.")
    finally:
        remedy_problems.cache_clear()


def test_a_verified_identity_is_not_challenged_again(claire, signed_in, make_staff) -> None:
    """The confirmation link is for a doubt not yet settled: on a verified case it would
    put the case back to « awaiting identity » and stop a clock that must run (R47)."""
    from tests.rights.backoffice import open_verified
    from vigie.accounts.permissions import Role
    from vigie.rights.models import Challenge, IdentityStatus, Status

    case = open_verified(claire)
    response = signed_in(make_staff(Role.SALES)).post(f"/backoffice/rights/{case.pk}/challenge/")
    assert response.status_code == 400
    assert "déjà vérifiée" in response.content.decode()
    case.refresh_from_db()
    assert case.identity_status == IdentityStatus.VERIFIED and case.status == Status.IN_PROGRESS
    assert case.suspensions == [] and not Challenge.objects.exists()


def test_no_extension_while_the_clock_waits_for_the_identity(claire, smtp_server) -> None:
    """While suspended there is no due date to extend (the notice said « we will answer
    by . »), and the notice would go to an address whose owner is not verified."""
    from tests.rights.backoffice import open_unknown

    case = open_unknown()
    with translation.override("fr"), pytest.raises(services.RightsError, match="suspendu"):
        services.extend_deadline(Actor.cli(), case, "Recherches longues.")
    case.refresh_from_db()
    assert case.extended_at is None and case.extension_reasons == ""
    assert not case.letters.filter(template="rights_extension_notice").exists()
