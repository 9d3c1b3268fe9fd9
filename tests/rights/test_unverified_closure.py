"""R48: a case whose identity was never confirmed closes after VIGIE_RIGHTS_IDENTITY_DAYS,
with the letter saying why and the CNIL block (real SMTP)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.rights.conftest import ON_FILE, deliver_all, received
from vigie.audit.actor import Actor
from vigie.audit.models import Event
from vigie.rights import jobs, services
from vigie.rights.models import Case, Channel, IdentityStatus, Status
from vigie.rights.sealing import Requester

pytestmark = pytest.mark.django_db(databases=["default", "keys"])
PARIS = ZoneInfo("Europe/Paris")
ELSEWHERE = "someone@elsewhere.example"


def at(day: str, hour: int = 9) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=PARIS)


def portal(on_file: str = ON_FILE, language: str = "fr") -> services.Intake:
    with time_machine.travel(at("2025-03-10"), tick=False):
        return services.open_case(
            Actor("anonymous", "", "127.0.0.1"),
            types=["erasure"],
            channel=Channel.PORTAL,
            requester=Requester(email=ELSEWHERE, name="C. Martin", on_file_email=on_file),
            language=language,
        )


def run(day: str, hour: int = 9) -> int:
    with time_machine.travel(at(day, hour), tick=False):
        return jobs.close_unverified_cases()


def test_a_challenge_unanswered_for_30_days_closes_the_case_with_its_letter(
    claire, smtp_server
) -> None:
    case = portal().case
    assert run("2025-04-09", 8) == 0  # the link is good until 09/04 09:00
    assert run("2025-04-09", 10) == 1
    assert run("2025-04-10") == 0  # closed: nothing more
    case = Case.objects.get(pk=case.pk)
    assert case.status == Status.UNVERIFIED
    assert case.identity_status == IdentityStatus.FAILED
    assert case.closed_at is not None and case.retain_until is not None
    assert "30" in case.closing_reason
    deliver_all()
    letters = {to: (s, t) for to, s, t in received(smtp_server)}
    subject, text = letters[ELSEWHERE]
    assert case.number in subject
    assert "restée sans réponse pendant 30 jours" in text
    assert "3 Place de Fontenoy" in text and "recours juridictionnel" in text
    assert Event.objects.filter(
        action="rights:case:close_unverified", object_id=str(case.pk), actor_type="system"
    ).exists()


def test_the_letter_is_in_the_requesters_language(claire, smtp_server) -> None:
    portal(language="en")
    assert run("2025-04-10") == 1
    deliver_all()
    [text] = [t for to, _s, t in received(smtp_server) if to == ELSEWHERE and "identity" in _s]
    assert "stayed unanswered for 30 days" in text and "judicial remedy" in text


def test_a_confirmed_case_is_not_closed(claire) -> None:
    intake = portal()
    with time_machine.travel(at("2025-03-20"), tick=False):
        assert services.confirm_challenge(intake.challenge_token) is not None
    assert run("2025-05-01") == 0
    assert Case.objects.get().status == Status.IN_PROGRESS


def test_an_address_vigie_does_not_know_waits_from_the_suspension(claire) -> None:
    """No address on file: no link was sent, the clock stopped at receipt; same days."""
    portal(on_file="")
    assert run("2025-04-08") == 0
    assert run("2025-04-09", 10) == 1


def test_a_new_challenge_gives_the_days_again(claire, make_staff) -> None:
    lead = make_staff("privacy_lead")
    case = portal(on_file="").case
    with time_machine.travel(at("2025-04-01"), tick=False):
        case.person = claire
        case.save(update_fields=["person"])
        services.challenge_identity(Actor.for_user(lead), case)
    assert run("2025-04-10") == 0  # 30 days from 01/04, not from 10/03
    assert run("2025-05-01", 10) == 1


def test_the_number_of_days_is_a_setting(claire, settings) -> None:
    settings.RIGHTS_IDENTITY_DAYS = 10
    portal()
    assert run("2025-03-19") == 0
    assert run("2025-03-20", 10) == 1


def test_requests_recorded_after_their_deadline_are_told_the_same_and_closed_alike(
    claire, smtp_server
) -> None:
    """Late requests are not suspended; whether the address named is on file or not, the
    requester reads the same reply (not « suspended ») and both close after the days."""
    with time_machine.travel(at("2025-05-20"), tick=False):
        for named in (ON_FILE, "personne@nulle-part.example"):
            services.open_case(
                Actor.cli(),
                types=["access"],
                channel=Channel.POST,
                requester=Requester(email=f"x{len(named)}@ailleurs.example", on_file_email=named),
                received_at=at("2025-04-05", 12),
            )
    deliver_all()
    replies = [t for to, _s, t in received(smtp_server) if to.startswith("x")]
    assert len(replies) == 2
    assert "suspendu" not in replies[0]
    assert replies[0].replace("0001", "N") == replies[1].replace("0002", "N")
    assert run("2025-06-18") == 0  # 29 days after the recording: not yet
    assert run("2025-06-20") == 2
    assert set(Case.objects.values_list("status", flat=True)) == {Status.UNVERIFIED}
