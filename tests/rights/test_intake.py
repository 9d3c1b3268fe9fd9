"""Opening a case (R46, R48, R78): the right letter to the right address, the clock
running or suspended, nothing said about data to an address Vigie does not know."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from tests.rights.conftest import ON_FILE, deliver_all, received
from vigie.audit.actor import Actor
from vigie.audit.models import Event
from vigie.rights import services
from vigie.rights.models import Case, CaseDeletionRefused, Channel, IdentityStatus, Status
from vigie.rights.sealing import Requester

pytestmark = pytest.mark.django_db(databases=["default", "keys"])
PORTAL = Actor("anonymous", "", "127.0.0.1")
PARIS = dt.timezone(dt.timedelta(hours=1))


def _portal(address: str, **more: str) -> services.Intake:
    return services.open_case(
        PORTAL,
        types=["access"],
        channel=Channel.PORTAL,
        requester=Requester(email=address, name="Claire Martin", **more),
        description="Je souhaite recevoir une copie de mes données.",
    )


@time_machine.travel(dt.datetime(2025, 3, 10, 9, 0, tzinfo=PARIS), tick=False)
def test_a_request_from_the_address_on_file_gets_the_case_number_and_due_date_at_that_address(
    claire, smtp_server
) -> None:
    intake = _portal(ON_FILE)
    case = intake.case
    assert case.number == "DDP-2025-0001"
    assert case.status == Status.AWAITING_IDENTITY
    # No reasonable doubt: the clock runs while the link waits to be opened.
    assert case.due_date == dt.date(2025, 4, 10)
    assert case.outer_limit == dt.date(2025, 4, 10)
    deliver_all()
    [(to, subject, text)] = received(smtp_server)
    assert to == ON_FILE
    assert "DDP-2025-0001" in subject
    assert "10/04/2025" in text and "Dossier" in subject
    assert "/droits/confirmer/" in text


@time_machine.travel(dt.datetime(2025, 3, 10, 9, 0, tzinfo=PARIS), tick=False)
def test_an_unknown_address_gets_a_neutral_reply_and_the_clock_stops(claire, smtp_server) -> None:
    case = _portal("someone@elsewhere.example").case
    assert case.status == Status.AWAITING_IDENTITY
    # No address on file, so no link went anywhere: the identity is « not checked »,
    # not « challenge sent » (the neutral reply asks for a reference).
    assert case.identity_status == IdentityStatus.NOT_CHECKED
    assert not case.challenges.exists()
    assert case.due_date is None and case.suspended_from is not None
    deliver_all()
    [(to, _subject, text)] = received(smtp_server)
    assert to == "someone@elsewhere.example"
    assert "ni confirmer ni infirmer" in text
    # Nothing about Claire, and no link that would confirm anything.
    assert "Claire" in text  # the greeting uses the name the requester gave
    assert "/droits/confirmer/" not in text


def test_the_neutral_reply_is_the_same_whether_or_not_the_address_is_known(
    claire, smtp_server
) -> None:
    """No enumeration: the requester's own address learns nothing either way."""
    _portal("nobody@elsewhere.example")
    _portal("someone@elsewhere.example", on_file_email=ON_FILE)
    deliver_all()
    replies = {to: text for to, _s, text in received(smtp_server)}
    unknown = replies["nobody@elsewhere.example"].replace("0001", "N")
    known = replies["someone@elsewhere.example"].replace("0002", "N")
    assert unknown == known
    # The owner of the address on file got the confirmation link.
    assert "/droits/confirmer/" in replies[ON_FILE]


def test_confirming_the_link_verifies_identity_and_carries_the_remaining_days(
    claire, smtp_server
) -> None:
    with time_machine.travel(dt.datetime(2025, 3, 10, 9, 0, tzinfo=PARIS), tick=False):
        intake = _portal("someone@elsewhere.example", on_file_email=ON_FILE)
    with time_machine.travel(dt.datetime(2025, 3, 14, 9, 0, tzinfo=PARIS), tick=False):
        case = services.confirm_challenge(intake.challenge_token)
    assert case is not None
    assert case.identity_status == IdentityStatus.VERIFIED
    assert case.status == Status.IN_PROGRESS
    assert case.person == claire
    # Suspended from 10/03 to 14/03: four days carried, 10/04 becomes 14/04.
    assert case.due_date == dt.date(2025, 4, 14)
    assert case.suspended_from is not None and case.suspended_to is not None
    # Used once only.
    assert services.confirm_challenge(intake.challenge_token) is None
    deliver_all()
    acks = [t for to, s, t in received(smtp_server) if to == ON_FILE and "reçu votre demande" in s]
    assert acks and "14/04/2025" in acks[0]


def test_a_forged_or_expired_link_confirms_nothing(claire) -> None:
    intake = _portal("someone@elsewhere.example", on_file_email=ON_FILE)
    assert services.confirm_challenge(intake.challenge_token + "x") is None
    with time_machine.travel(timezone.now() + dt.timedelta(days=31)):
        assert services.confirm_challenge(intake.challenge_token) is None
    assert Case.objects.get().identity_status == IdentityStatus.AWAITING


def test_a_message_to_the_privacy_mailbox_from_the_address_on_file_is_verified_at_once(
    claire, smtp_server
) -> None:
    case = services.open_case(
        Actor.system("mailbox"),
        types=["erasure"],
        channel=Channel.MAILBOX,
        requester=Requester(email=ON_FILE),
    ).case
    assert case.identity_status == IdentityStatus.VERIFIED
    assert case.status == Status.IN_PROGRESS and case.person == claire
    deliver_all()
    [(to, subject, _t)] = received(smtp_server)
    assert to == ON_FILE and case.number in subject


def test_a_request_handed_to_a_colleague_runs_from_the_day_it_arrived(claire, make_staff) -> None:
    """R46 check: e-mailed to a sales rep on 10/03, recorded on 12/03 → received 10/03."""
    sales = make_staff("sales")
    with time_machine.travel(dt.datetime(2025, 3, 12, 15, 0, tzinfo=PARIS), tick=False):
        case = services.open_case(
            Actor.for_user(sales),
            types=["access"],
            channel=Channel.EMAIL,
            requester=Requester(email=ON_FILE),
            received_at=dt.datetime(2025, 3, 10, 11, 0, tzinfo=PARIS),
            person=claire,
            verified_by="known_to_staff",
        ).case
    assert case.received_at.date() == dt.date(2025, 3, 10)
    assert case.due_date == dt.date(2025, 4, 10)
    assert case.identity_method == "known_to_staff"


def test_a_case_number_follows_the_year_without_gaps(claire) -> None:
    numbers = [_portal(ON_FILE).case.number for _ in range(3)]
    year = timezone.localdate().year
    assert numbers == [f"DDP-{year}-0001", f"DDP-{year}-0002", f"DDP-{year}-0003"]


def test_bad_input_is_refused_with_a_message_and_nothing_written(claire) -> None:
    with pytest.raises(services.RightsError):
        services.open_case(PORTAL, types=[], channel="portal", requester=Requester(email=ON_FILE))
    with pytest.raises(services.RightsError):
        services.open_case(PORTAL, types=["coffee"], channel="portal", requester=Requester())
    with pytest.raises(services.RightsError):
        services.open_case(
            PORTAL, types=["access"], channel="portal", requester=Requester(email="a\u202e@b.fr")
        )
    with pytest.raises(services.RightsError):
        services.open_case(
            PORTAL,
            types=["access"],
            channel="portal",
            requester=Requester(email=ON_FILE),
            received_at=timezone.now() + dt.timedelta(days=2),
        )
    assert not Case.objects.exists()


def test_the_requesters_details_are_sealed_and_every_step_is_audited(claire) -> None:
    case = _portal("someone@elsewhere.example", on_file_email=ON_FILE).case
    raw = bytes(Case.objects.get().requester_sealed)
    assert b"elsewhere" not in raw and b"Claire" not in raw
    assert services.requester_of(case).email == "someone@elsewhere.example"
    actions = set(Event.objects.filter(object_id=str(case.pk)).values_list("action", flat=True))
    assert {"rights:case:open", "rights:identity:challenge", "rights:clock:suspend"} <= actions
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds[0] == "opened" and "challenge" in kinds


def test_a_case_cannot_be_deleted_before_its_retention_date(claire) -> None:
    case = _portal(ON_FILE).case
    with pytest.raises(CaseDeletionRefused):
        case.delete()
    with pytest.raises(CaseDeletionRefused):
        Case.objects.get(pk=case.pk).delete()
    assert Case.objects.filter(pk=case.pk).exists()


def test_a_request_from_an_unknown_address_recorded_after_its_deadline_is_kept_and_overdue(
    claire, smtp_server
) -> None:
    """A letter found 45 days late cannot have its clock suspended (it ran out): the case
    is recorded anyway, not suspended, red from the start and flagged in its timeline."""
    from vigie.lib.legal_calendar import ClockColour
    from vigie.rights.timeline import timeline

    now = dt.datetime(2025, 5, 20, 9, 0, tzinfo=PARIS)
    with time_machine.travel(now, tick=False):
        case = services.open_case(
            Actor.cli(),
            types=["access"],
            channel=Channel.POST,
            requester=Requester(email="someone@elsewhere.example", name="Paul Inconnu"),
            received_at=dt.datetime(2025, 4, 5, 12, 0, tzinfo=PARIS),
        ).case
        assert case.status == Status.AWAITING_IDENTITY
        assert case.identity_status == IdentityStatus.NOT_CHECKED
        assert case.suspensions == [] and case.suspended_from is None
        assert case.due_date == dt.date(2025, 5, 5)
        assert services.clock_of(case).colour(now) is ClockColour.RED
        opened = case.events.get(kind="opened")
        assert opened.extra["late"] is True
        [step] = [s for s in timeline([opened], {})]
        assert "après son échéance" in step.text
        # Same with an address on file named: the link goes out, the clock is not stopped.
        late_known = services.open_case(
            Actor.cli(),
            types=["erasure"],
            channel=Channel.POST,
            requester=Requester(email="autre@elsewhere.example", on_file_email=ON_FILE),
            received_at=dt.datetime(2025, 4, 5, 12, 0, tzinfo=PARIS),
        )
    assert late_known.challenge_token and late_known.case.suspensions == []
    assert late_known.case.identity_status == IdentityStatus.AWAITING
    deliver_all()
    recipients = {to for to, _s, _t in received(smtp_server)}
    assert recipients == {ON_FILE, "autre@elsewhere.example", "someone@elsewhere.example"}


def test_a_late_case_can_be_sent_a_new_link_without_stopping_its_clock(claire) -> None:
    """Recorded after its deadline, the case's clock cannot stop: a new confirmation link
    still goes out (the first one may be lost), and the case stays overdue."""
    from vigie.rights.models import Challenge

    with time_machine.travel(dt.datetime(2025, 5, 20, 9, 0, tzinfo=PARIS), tick=False):
        case = services.open_case(
            Actor.cli(),
            types=["access"],
            channel=Channel.POST,
            requester=Requester(name="Claire Martin"),
            person=claire,
            received_at=dt.datetime(2025, 4, 5, 12, 0, tzinfo=PARIS),
        ).case
        assert services.challenge_identity(Actor.cli(), case)
    case.refresh_from_db()
    assert Challenge.objects.filter(case=case).count() == 2
    assert case.suspensions == [] and case.due_date == dt.date(2025, 5, 5)
